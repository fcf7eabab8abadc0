"""API of the oversight app: visits."""

from ninja import Router

router = Router(tags=["监督"])
