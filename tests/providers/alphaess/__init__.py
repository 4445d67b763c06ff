"""AlphaESS: flow, coordinators, entities, history, actions, diagnostics, simulator part."""
