"""API of the cases area (see docs/services.md)."""

from ninja import Router

router = Router(tags=["services-cases"])
public_router = Router(tags=["public-services-cases"])
