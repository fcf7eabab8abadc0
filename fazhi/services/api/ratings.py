"""API of the ratings area (see docs/services.md)."""

from ninja import Router

router = Router(tags=["services-ratings"])
public_router = Router(tags=["public-services-ratings"])
