"""PG&E Share My Data: flow, webhook, requests, history, entities, actions, simulator part."""
