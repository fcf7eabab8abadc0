"""API of the disclosure app, one module per area; each router is mounted in fazhi.api.api."""
