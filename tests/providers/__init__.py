"""Tests of each provider: one package per provider, mirroring `providers/<name>/`."""
