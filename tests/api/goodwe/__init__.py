"""Tests of the GoodWe SEMS+ client."""
