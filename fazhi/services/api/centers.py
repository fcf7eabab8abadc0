"""API of the service centers (see docs/services.md)."""

from ninja import Router

router = Router(tags=["services-centers"])
