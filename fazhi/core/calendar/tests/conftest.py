"""Fixtures of the calendar tests: a clean in-process calendar cache, the 2025–2026 schedule."""

from __future__ import annotations

import pytest

from fazhi.core.calendar import services, workdays


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Each test reads the calendar of its own database, and leaves no copy behind."""
    workdays.forget()
    yield
    workdays.forget()


@pytest.fixture
def schedule_2026(db):
    """2025 and 2026 loaded from chinesecalendar and confirmed, as `fazhi calendar import` does."""
    return services.calendar_import(years=[2025, 2026], actor_name="test")
