"""API of the oversight app: spotchecks."""

from ninja import Router

router = Router(tags=["监督"])
