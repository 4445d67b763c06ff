"""Emporia Vue: flow, coordinators, entities, history, writes, diagnostics, simulator part."""
