"""Tests of the GoodWe (SEMS+) provider."""
