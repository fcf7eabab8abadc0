"""Staff pages of the disclosure app, one module per area (requests, proactive, reports)."""
