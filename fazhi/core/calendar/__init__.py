"""Working days (core.calendar): the WorkCalendar table, add_workdays, workdays_between, clocks.

The plain functions answer with plain values; the `*_result` functions also say whether the
answer is provisional (a year without a confirmed schedule was consulted) and why, in words.
Nothing here imports a model at import time, so any module may import this package.
"""

from fazhi.core.calendar.clock import Clock, ClockUnit, Extension, Pause, clock_rule_for
from fazhi.core.calendar.workdays import (
    WorkdayCheck,
    WorkdayCount,
    WorkdayDate,
    add_workdays,
    add_workdays_result,
    format_day,
    is_provisional,
    is_workday,
    is_workday_result,
    next_workday,
    unconfirmed_years,
    workdays_between,
    workdays_between_result,
)

__all__ = [
    "Clock",
    "ClockUnit",
    "Extension",
    "Pause",
    "WorkdayCheck",
    "WorkdayCount",
    "WorkdayDate",
    "add_workdays",
    "add_workdays_result",
    "clock_rule_for",
    "format_day",
    "is_provisional",
    "is_workday",
    "is_workday_result",
    "next_workday",
    "unconfirmed_years",
    "workdays_between",
    "workdays_between_result",
]
