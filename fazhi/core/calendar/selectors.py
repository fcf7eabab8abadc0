"""Reads of the calendar for the staff pages and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Min

from fazhi.core.calendar import workdays
from fazhi.core.calendar.models import WorkCalendarDay, WorkCalendarYear


@dataclass(frozen=True)
class YearOverview:
    year: int
    record: WorkCalendarYear | None
    days: list[WorkCalendarDay]
    # Monday–Friday days, and the count once this year's adjustments apply.
    weekdays: int
    workdays: int

    @property
    def confirmed(self) -> bool:
        return self.record is not None and self.record.confirmed

    @property
    def holidays(self) -> int:
        return sum(1 for d in self.days if not d.is_workday)

    @property
    def worked_weekends(self) -> int:
        return sum(1 for d in self.days if d.is_workday)


def year_overview(year: int) -> YearOverview:
    """The year's status and its adjusted days (two queries, whatever the number of days)."""
    record = WorkCalendarYear.objects.select_related("confirmed_by").filter(year=year).first()
    days = list(
        WorkCalendarDay.objects.filter(date__year=year)
        .select_related("updated_by")
        .order_by("date")
    )
    weekdays = workdays.weekdays_in_year(year)
    adjustment = sum((1 if d.is_workday else -1) for d in days if not d.matches_weekday_rule)
    return YearOverview(year, record, days, weekdays, weekdays + adjustment)


def known_years() -> list[int]:
    """Years holding a status row or an adjusted day (for the year switcher)."""
    years = set(WorkCalendarYear.objects.values_list("year", flat=True))
    span = WorkCalendarDay.objects.aggregate(first=Min("date"), last=Max("date"))
    if span["first"] is not None:
        years.update({span["first"].year, span["last"].year})
    return sorted(years)
