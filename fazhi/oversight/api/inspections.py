"""API of the oversight app: inspections."""

from ninja import Router

router = Router(tags=["监督"])
