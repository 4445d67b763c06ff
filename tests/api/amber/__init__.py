"""Amber client."""
