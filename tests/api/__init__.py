"""Tests of the provider API clients (no Home Assistant)."""
