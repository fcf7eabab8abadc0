"""API of the oversight app: evaluations."""

from ninja import Router

router = Router(tags=["监督"])
