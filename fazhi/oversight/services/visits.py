"""Services of this oversight area: each change of state in one transaction with its event."""

from __future__ import annotations


def ready() -> None:
    """Registrations of the visits area (sweeps, deadline sources, 待办, file uses)."""
