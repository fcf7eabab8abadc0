"""Period arithmetic of the committee affairs disclosure check (居务 / 村务公开): pure functions.

A required item falls due once per period of its frequency: each calendar month, each quarter
(Q1..Q4), each half year (H1, H2) or each year. A period's posting is due by `due_on`, the
`grace`-th working day strictly after the period's last day, counted on the one working-day
calendar (民法典 Art. 201: the start day is not counted, so grace ≥ 1 always gives a working day
after the period end). 随时 (immediately) items have no calendar periods: they are never due.

Status of one period, given the first posting that covers it (see `covers`):
- posted on or before `due_on` → on_time;
- posted after `due_on` → late;
- no posting and today after `due_on` → missing;
- no posting and today on or before `due_on` → pending (nothing is wrong yet).

Periods are written in one text form that the form, the CSV import and the API share:
"2026-02" (a month), "2026-Q1" (a quarter), "2026-H1" (a half year), "2026" (a year) and, for
随时 items, "2026-02-13" (a day). Chinese forms are read too ("2026年2月", "2026年第1季度",
"2026年一季度", "2026年上半年", "2026年度").

Nothing here touches the database except through the working-day function passed in (the
default is `fazhi.core.calendar.add_workdays`), so the arithmetic can be tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

MONTHLY = "monthly"
QUARTERLY = "quarterly"
HALF_YEARLY = "half_yearly"
YEARLY = "yearly"
IMMEDIATELY = "immediately"
# Months per period of each counted frequency.
MONTHS = {MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6, YEARLY: 12}
COUNTED = tuple(MONTHS)

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
PENDING = "pending"

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


class PeriodError(ValueError):
    """The text names no period (the message is Chinese, for the person who typed it)."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    frequency: str

    @property
    def key(self) -> str:
        """The text form ("2026-02", "2026-Q1", "2026-H2", "2026", "2026-02-13")."""
        y, m = self.start.year, self.start.month
        if self.frequency == MONTHLY:
            return f"{y}-{m:02d}"
        if self.frequency == QUARTERLY:
            return f"{y}-Q{(m - 1) // 3 + 1}"
        if self.frequency == HALF_YEARLY:
            return f"{y}-H{(m - 1) // 6 + 1}"
        if self.frequency == YEARLY:
            return f"{y}"
        return self.start.isoformat()

    @property
    def label(self) -> str:
        """The period in words, as the pages show it."""
        y, m = self.start.year, self.start.month
        if self.frequency == MONTHLY:
            return f"{y}年{m}月"
        if self.frequency == QUARTERLY:
            return f"{y}年第{(m - 1) // 3 + 1}季度"
        if self.frequency == HALF_YEARLY:
            return f"{y}年{'上' if m <= 6 else '下'}半年"
        if self.frequency == YEARLY:
            return f"{y}年度"
        return f"{y}年{m}月{self.start.day}日"


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def period_of(day: date, frequency: str) -> Period:
    """The period of `frequency` that contains `day` (for 随时: the day itself)."""
    if frequency == IMMEDIATELY:
        return Period(day, day, IMMEDIATELY)
    try:
        size = MONTHS[frequency]
    except KeyError:
        raise PeriodError("未知的公开频次。") from None
    first_month = (day.month - 1) // size * size + 1
    last_month = first_month + size - 1
    return Period(date(day.year, first_month, 1), _month_end(day.year, last_month), frequency)


def next_period(period: Period) -> Period:
    return period_of(period.end + timedelta(days=1), period.frequency)


def periods_ending_between(first: date, last: date, frequency: str) -> list[Period]:
    """Every period of `frequency` whose last day lies in first..last (inclusive), in order."""
    if frequency not in MONTHS or last < first:
        return []
    found = []
    period = period_of(first, frequency)
    if period.end < first:  # cannot happen (first is inside it), kept for clarity
        period = next_period(period)
    while period.end <= last:
        found.append(period)
        period = next_period(period)
    return found


def periods_overlapping(first: date, last: date, frequency: str) -> Iterator[Period]:
    """Every period of `frequency` that has a day in first..last, in order."""
    if frequency not in MONTHS or last < first:
        return
    period = period_of(first, frequency)
    while period.start <= last:
        yield period
        period = next_period(period)


def due_on(
    period: Period, grace_workdays: int, add_workdays: Callable[[date, int], date] | None = None
) -> date:
    """The last day a posting of `period` is on time: the grace-th working day after its end."""
    if grace_workdays < 1:
        raise PeriodError("宽限工作日至少为1天。")
    if add_workdays is None:
        from fazhi.core.calendar import add_workdays
    return add_workdays(period.end, grace_workdays)


def covers(posting_start: date, posting_end: date, period: Period) -> bool:
    """Whether a posting of posting_start..posting_end answers for `period`: it spans the whole
    period (a posting for the month answers for that month; for a quarter, for that quarter)."""
    return posting_start <= period.start and posting_end >= period.end


def status(*, today: date, due: date, posted_on: date | None) -> str:
    if posted_on is not None:
        return ON_TIME if posted_on <= due else LATE
    return MISSING if today > due else PENDING


# --- Text forms ---------------------------------------------------------------------------------

_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "day"),
    (re.compile(r"(\d{4})[-/.年](\d{1,2})月?"), MONTHLY),
    (re.compile(r"(\d{4})-?Q([1-4])", re.I), QUARTERLY),
    (re.compile(r"(\d{4})年?第?([1-4一二三四])季度?"), QUARTERLY),
    (re.compile(r"(\d{4})-?H([12])", re.I), HALF_YEARLY),
    (re.compile(r"(\d{4})年?([上下])半年"), HALF_YEARLY),
    (re.compile(r"(\d{4})年?度?"), YEARLY),
)


def parse(text: str) -> Period:
    """The period a text names; raises PeriodError with a Chinese message."""
    raw = (text or "").strip().replace(" ", "")
    if not raw:
        raise PeriodError("请填写所属期间。")
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(raw)
        if match is None:
            continue
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            break
        try:
            if kind == "day":
                day = date(year, int(match.group(2)), int(match.group(3)))
                return Period(day, day, IMMEDIATELY)
            if kind == MONTHLY:
                month = int(match.group(2))
                return period_of(date(year, month, 1), MONTHLY)
            if kind == QUARTERLY:
                part = match.group(2)
                quarter = _CN_DIGITS.get(part) or int(part)
                return period_of(date(year, quarter * 3, 1), QUARTERLY)
            if kind == HALF_YEARLY:
                part = match.group(2).upper()
                half = 1 if part in {"1", "上"} else 2
                return period_of(date(year, half * 6, 1), HALF_YEARLY)
            return period_of(date(year, 1, 1), YEARLY)
        except ValueError:
            break
    raise PeriodError(
        f"所属期间“{raw[:20]}”无法识别；请写成 2026-02（月）、2026-Q1（季度）、2026-H1（半年）、"
        "2026（年）或 2026-02-13（日，随时公开事项）。"
    )


def for_frequency(period: Period, frequency: str) -> Period:
    """Check that `period` is a whole period of `frequency` (随时: any day or period); the same
    period. Raises PeriodError naming what was expected."""
    if frequency == IMMEDIATELY:
        return period
    if period.frequency != frequency:
        expected = {
            MONTHLY: "月份（如 2026-02）",
            QUARTERLY: "季度（如 2026-Q1）",
            HALF_YEARLY: "半年（如 2026-H1）",
            YEARLY: "年度（如 2026）",
        }[frequency]
        raise PeriodError(f"该事项按{FREQUENCY_WORDS[frequency]}公开，所属期间应为{expected}。")
    return period


FREQUENCY_WORDS = {
    MONTHLY: "每月",
    QUARTERLY: "每季度",
    HALF_YEARLY: "每半年",
    YEARLY: "每年",
    IMMEDIATELY: "随时",
}


def months_between(first: date, last: date) -> list[Period]:
    """The months from first's to last's, in order (the matrix columns)."""
    return list(periods_overlapping(first, last, MONTHLY))
