"""Enedis clients."""
