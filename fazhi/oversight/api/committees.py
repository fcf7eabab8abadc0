"""API of the oversight app: committees."""

from ninja import Router

router = Router(tags=["监督"])
