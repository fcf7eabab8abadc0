"""Forms of the disclosure app, one module per area (public, requests, proactive, reports)."""
