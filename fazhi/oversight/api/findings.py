"""API of the oversight app: findings."""

from ninja import Router

router = Router(tags=["监督"])
