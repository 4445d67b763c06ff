"""Amber Electric: flow, coordinators, entities, history, actions, diagnostics, simulator part."""
