"""Public calendar endpoints under /api/public/calendar/ (no login).

Query parameters arrive as text and are parsed here, so every mistake gets its own Chinese
message and stable code (422) instead of a generic validation error.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from fazhi.core.calendar import conf, workdays
from fazhi.core.errors import InvalidInput

public_router = Router(auth=None, tags=["public: calendar"])

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER = re.compile(r"[+-]?[0-9]+")


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict | list | None = None


class WorkdayDateOut(Schema):
    date: dt.date
    provisional: bool
    explanation: str


class WorkdayCountOut(Schema):
    count: int
    provisional: bool
    explanation: str


class WorkdayCheckOut(Schema):
    date: dt.date
    workday: bool
    name: str
    provisional: bool
    explanation: str


def parse_date(value: str, label: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) or InvalidInput naming the parameter."""
    text = (value or "").strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            _("%(label)s格式不正确，应为 YYYY-MM-DD，例如 2026-12-10。") % {"label": label},
            code="invalid_date",
        ) from exc
    if not conf.first_year() <= day.year <= conf.last_year():
        raise InvalidInput(
            _("%(label)s应在%(first)d年至%(last)d年之间。")
            % {"label": label, "first": conf.first_year(), "last": conf.last_year()},
            code="date_out_of_range",
        )
    return day


def parse_days(value: str) -> int:
    """A day count from 0 to the cap, or InvalidInput saying which rule it breaks."""
    text = (value or "").strip()
    if not _INTEGER.fullmatch(text):
        raise InvalidInput(_("天数应为整数，例如 20。"), code="invalid_days")
    # Only the sign matters beyond a dozen digits; int() of a huge string is itself slow.
    days = int(text) if len(text) <= 12 else (-1 if text.startswith("-") else 10**12)
    if days < 0:
        raise InvalidInput(_("天数不能为负数。"), code="negative_days")
    cap = conf.max_days()
    if days > cap:
        raise InvalidInput(
            _("天数不能超过%(cap)d天。") % {"cap": cap}, code="too_many_days", cap=cap
        )
    return days


ERRORS = {422: ErrorOut}


@public_router.get(
    "/add-workdays",
    response={200: WorkdayDateOut, **ERRORS},
    summary="开始日期后第 N 个工作日",
)
def add_workdays(
    request,
    start: str = Query(..., description="开始日期 YYYY-MM-DD（当日不计入）"),
    days: str = Query(..., description="工作日数，0 至上限（默认 3650）"),
):
    """The `days`-th working day after `start` (start day not counted; 0 = start itself if a
    working day, else the next one). `provisional` is true when a year without a confirmed
    schedule was consulted (computed Monday to Friday)."""
    day = parse_date(start, _("开始日期"))
    count = parse_days(days)
    result = workdays.add_workdays_result(day, count)
    return {
        "date": result.date,
        "provisional": result.provisional,
        "explanation": result.explanation,
    }


@public_router.get(
    "/workdays-between",
    response={200: WorkdayCountOut, **ERRORS},
    summary="两个日期之间的工作日数",
)
def workdays_between(
    request,
    start: str = Query(..., description="开始日期 YYYY-MM-DD（不含）"),
    end: str = Query(..., description="结束日期 YYYY-MM-DD（含），不得早于开始日期"),
):
    """Working days after `start` up to and including `end`."""
    first = parse_date(start, _("开始日期"))
    last = parse_date(end, _("结束日期"))
    if last < first:
        raise InvalidInput(_("结束日期不能早于开始日期。"), code="end_before_start")
    result = workdays.workdays_between_result(first, last)
    return {
        "count": result.count,
        "provisional": result.provisional,
        "explanation": result.explanation,
    }


@public_router.get(
    "/is-workday",
    response={200: WorkdayCheckOut, **ERRORS},
    summary="某日是否为工作日",
)
def is_workday(request, date: str = Query(..., description="日期 YYYY-MM-DD")):
    """Whether `date` is a working day, with the holiday or worked-weekend name if any."""
    day = parse_date(date, _("日期"))
    result = workdays.is_workday_result(day)
    return {
        "date": result.date,
        "workday": result.workday,
        "name": result.name,
        "provisional": result.provisional,
        "explanation": result.explanation,
    }
