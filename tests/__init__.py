"""Tests for the OpenPower integration."""
