"""The HTTP API (django-ninja) at /api/: one router per app, the same services as the pages."""
