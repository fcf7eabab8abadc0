"""Forms of the services pages, one module per area: they shape input; the services check it."""
