"""API of the appointments area (see docs/services.md)."""

from ninja import Router

router = Router(tags=["services-appointments"])
public_router = Router(tags=["public-services-appointments"])
