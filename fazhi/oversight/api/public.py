"""Public API of the oversight app: published sampling plans and their draws."""

from ninja import Router

public_router = Router(tags=["公开"])
