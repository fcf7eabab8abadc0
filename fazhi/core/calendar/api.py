"""Public calendar endpoints under /api/public/calendar/ (no login)."""

from ninja import Router

public_router = Router(auth=None, tags=["public: calendar"])
