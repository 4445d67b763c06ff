"""Enedis provider tests."""
