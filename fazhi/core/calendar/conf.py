"""Site settings of the working-day calendar, read at call time so tests may override them.

None of these is a legal number: the legal periods live in `ClockRule` rows (data), the
schedule in the `WorkCalendarDay` / `WorkCalendarYear` tables.
"""

from __future__ import annotations

from django.conf import settings


def max_days() -> int:
    """Largest day count accepted by add_workdays and by a clock budget (about 14 years)."""
    return int(getattr(settings, "FAZHI_CALENDAR_MAX_DAYS", 3650))


def recheck_seconds() -> float:
    """How long a process trusts its cached calendar before asking the database for changes.

    The process that edits the calendar drops its cache at once; other processes (other
    gunicorn workers, Celery workers, other hosts) see the edit within this many seconds.
    """
    return float(getattr(settings, "FAZHI_CALENDAR_RECHECK_SECONDS", 10))


# The years a date may fall in: wide enough for any record, narrow enough that arithmetic on
# absurd input fails early with a clear message. Fixed, not settings: WorkCalendarYear holds
# the same bounds as a database constraint.
FIRST_YEAR = 1900
LAST_YEAR = 2199


def first_year() -> int:
    return FIRST_YEAR


def last_year() -> int:
    return LAST_YEAR
