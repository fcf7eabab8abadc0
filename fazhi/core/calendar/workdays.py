"""Working-day arithmetic on a cached, in-memory copy of the calendar.

The model: C(x), the number of working days from a fixed epoch up to and including day x, is
the Monday–Friday count W(x) (pure arithmetic on the ordinal) plus the sum of the adjustments
on or before x (+1 for a weekend worked, −1 for a weekday off). The adjustments are a few
hundred sorted ordinals with prefix sums, so C(x) is one bisect, and "the first day on which C
reaches a value" is one bisect plus the inverse of W. No call loops over days.

Counting follows 民法典 Art. 201 (domain-rules.md §9): the start day is not counted.

* `add_workdays(d, n)`, n > 0: the n-th working day strictly after d.
  n = 0: d itself if it is a working day, else the next working day (so "the day the clock
  would stand on" never lands on a holiday). n < 0: the |n|-th working day strictly before d.
* `workdays_between(a, b)`: working days in (a, b]; negative when b is before a. Hence
  `workdays_between(d, add_workdays(d, n)) == n` for every n ≥ 1, and for n ≤ 0 when d is a
  working day.

Only confirmed years count their adjustments. Any other year is Monday–Friday and a result that
consulted a day in it is provisional — never an exception (the package knows nothing of a year
before the State Council announces it, yet a deadline set in December runs into January).

The cache is rebuilt when the single `WorkCalendarRevision` row changes. A process checks that
row at most every FAZHI_CALENDAR_RECHECK_SECONDS (one primary-key read), and a process that
edits the calendar drops its copy at once, so the hot path never touches the database. We chose
a database row over a counter in the Django cache because the embedded deployment runs several
gunicorn workers with a per-process local-memory cache, where a cache counter would not be seen
by the other workers; the database is the one thing every process shares.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from time import monotonic

from django.utils.translation import gettext as _

from fazhi.core.errors import InvalidInput

# --- Monday–Friday arithmetic on ordinals (date(1, 1, 1) has ordinal 1 and is a Monday) -------


def _weekdays_through(ordinal: int) -> int:
    """W: Monday–Friday days among ordinals 1..ordinal."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + (rest if rest < 5 else 5)


def _first_weekday_reaching(count: int) -> int:
    """Inverse of W: the smallest ordinal o with W(o) >= count (always a weekday), count >= 1."""
    weeks, rest = divmod(count - 1, 5)
    return 7 * weeks + rest + 1


# --- The cached calendar ----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The calendar as the engine sees it; immutable, replaced whole when the data changes."""

    revision: int
    # Sorted ordinals of effective adjustments (confirmed years, differing from Mon–Fri).
    ordinals: list[int] = field(default_factory=list)
    # prefix[k]: sum of the adjustments of ordinals[:k]; one longer than `ordinals`.
    prefix: list[int] = field(default_factory=lambda: [0])
    # reach[k]: C(ordinals[k]), non-decreasing, for inverting C.
    reach: list[int] = field(default_factory=list)
    # ordinal -> (is_workday, name) of the adjustments.
    days: dict[int, tuple[bool, str]] = field(default_factory=dict)
    confirmed_years: list[int] = field(default_factory=list)
    first_ordinal: int = date(1900, 1, 1).toordinal()
    last_ordinal: int = date(2199, 12, 31).toordinal()
    recheck_seconds: float = 10.0
    max_days: int = 3650

    @classmethod
    def build(
        cls,
        *,
        revision: int,
        adjustments: list[tuple[date, bool, str]],
        confirmed_years: list[int],
        first_year: int = 1900,
        last_year: int = 2199,
        recheck_seconds: float = 10.0,
        max_days: int = 3650,
    ) -> Snapshot:
        """`adjustments` are (day, is_workday, name); rows equal to Mon–Fri are dropped."""
        confirmed = set(confirmed_years)
        effective = sorted(
            (day.toordinal(), is_workday, name)
            for day, is_workday, name in adjustments
            if day.year in confirmed and is_workday != (day.weekday() < 5)
        )
        ordinals = [o for o, _w, _n in effective]
        prefix = [0]
        for _o, is_workday, _n in effective:
            prefix.append(prefix[-1] + (1 if is_workday else -1))
        reach = [_weekdays_through(o) + prefix[k + 1] for k, o in enumerate(ordinals)]
        return cls(
            revision=revision,
            ordinals=ordinals,
            prefix=prefix,
            reach=reach,
            days={o: (w, n) for o, w, n in effective},
            confirmed_years=sorted(confirmed),
            first_ordinal=date(first_year, 1, 1).toordinal(),
            last_ordinal=date(last_year, 12, 31).toordinal(),
            recheck_seconds=recheck_seconds,
            max_days=max_days,
        )

    # C(x) and its inverse ---------------------------------------------------------------------

    def count_through(self, ordinal: int) -> int:
        """C: working days among ordinals 1..ordinal."""
        return _weekdays_through(ordinal) + self.prefix[bisect_right(self.ordinals, ordinal)]

    def first_reaching(self, target: int) -> int:
        """The smallest ordinal o with C(o) >= target; C steps up there, so o is a working day."""
        j = bisect_left(self.reach, target)
        candidate = _first_weekday_reaching(target - self.prefix[j])
        if j < len(self.ordinals) and candidate >= self.ordinals[j]:
            return self.ordinals[j]
        return candidate

    def is_workday_ordinal(self, ordinal: int) -> bool:
        found = self.days.get(ordinal)
        if found is not None:
            return found[0]
        return (ordinal - 1) % 7 < 5

    def all_confirmed(self, first_year: int, last_year: int) -> bool:
        years = self.confirmed_years
        return bisect_right(years, last_year) - bisect_left(years, first_year) == (
            last_year - first_year + 1
        )

    def unconfirmed_years(self, first_year: int, last_year: int) -> list[int]:
        confirmed = set(self.confirmed_years)
        return [y for y in range(first_year, last_year + 1) if y not in confirmed]

    def adjustments_between(self, first: int, last: int) -> list[tuple[int, bool, str]]:
        """The effective adjustments with first <= ordinal <= last, in order."""
        lo = bisect_left(self.ordinals, first)
        hi = bisect_right(self.ordinals, last)
        return [(o, *self.days[o]) for o in self.ordinals[lo:hi]]


class _Cache:
    """The process's snapshot and when it was last compared with the database."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.checked_at = 0.0
        self.lock = threading.Lock()


_cache = _Cache()


def forget() -> None:
    """Drop this process's copy; the next call reads the calendar again (after an edit)."""
    _cache.snapshot = None
    _cache.checked_at = 0.0


def _stored_revision() -> int:
    from fazhi.core.calendar.models import WorkCalendarRevision

    found = WorkCalendarRevision.objects.filter(pk=1).values_list("revision", flat=True).first()
    return found or 0


def _load(revision: int) -> Snapshot:
    from fazhi.core.calendar import conf
    from fazhi.core.calendar.models import WorkCalendarDay, WorkCalendarYear

    years = list(WorkCalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))
    rows = (
        WorkCalendarDay.objects.filter(date__year__in=years).values_list(
            "date", "is_workday", "name"
        )
        if years
        else []
    )
    return Snapshot.build(
        revision=revision,
        adjustments=list(rows),
        confirmed_years=years,
        first_year=conf.first_year(),
        last_year=conf.last_year(),
        recheck_seconds=conf.recheck_seconds(),
        max_days=conf.max_days(),
    )


def snapshot() -> Snapshot:
    """The current calendar; reads the database only when the recheck interval has passed."""
    current = _cache.snapshot
    now = monotonic()
    if current is not None and now - _cache.checked_at < current.recheck_seconds:
        return current
    with _cache.lock:
        current = _cache.snapshot
        if current is not None and now - _cache.checked_at < current.recheck_seconds:
            return current
        revision = _stored_revision()
        if current is None or current.revision != revision:
            current = _load(revision)
            _cache.snapshot = current
        _cache.checked_at = monotonic()
        return current


# --- Checks -----------------------------------------------------------------------------------


def _ordinal(day: date, snap: Snapshot) -> int:
    if not isinstance(day, date):
        raise InvalidInput(_("日期格式不正确。"), code="invalid_date")
    ordinal = day.toordinal()
    if not snap.first_ordinal <= ordinal <= snap.last_ordinal:
        raise _out_of_range(snap)
    return ordinal


def _out_of_range(snap: Snapshot) -> InvalidInput:
    return InvalidInput(
        _("日期应在%(first)d年至%(last)d年之间。")
        % {
            "first": date.fromordinal(snap.first_ordinal).year,
            "last": date.fromordinal(snap.last_ordinal).year,
        },
        code="date_out_of_range",
    )


def _check_days(days: int, snap: Snapshot) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidInput(_("天数应为整数。"), code="invalid_days")
    cap = snap.max_days
    if abs(days) > cap:
        raise InvalidInput(
            _("天数不能超过%(cap)d天。") % {"cap": cap}, code="too_many_days", cap=cap
        )


def _add(snap: Snapshot, ordinal: int, days: int) -> int:
    if days > 0:
        target = snap.count_through(ordinal) + days
    else:
        target = snap.count_through(ordinal - 1) + days + 1
    result = snap.first_reaching(target)
    if not snap.first_ordinal <= result <= snap.last_ordinal:
        raise _out_of_range(snap)
    return result


# --- Plain functions --------------------------------------------------------------------------


def is_workday(day: date) -> bool:
    """Whether `day` is a working day (Monday–Friday in years not confirmed)."""
    snap = snapshot()
    return snap.is_workday_ordinal(_ordinal(day, snap))


def add_workdays(day: date, days: int) -> date:
    """The `days`-th working day after `day` (start day not counted); see the module doc."""
    snap = snapshot()
    _check_days(days, snap)
    return date.fromordinal(_add(snap, _ordinal(day, snap), days))


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when `end` is before `start`."""
    snap = snapshot()
    return snap.count_through(_ordinal(end, snap)) - snap.count_through(_ordinal(start, snap))


def next_workday(day: date) -> date:
    """`day` if it is a working day, else the first working day after it."""
    return add_workdays(day, 0)


def is_provisional(first: date, last: date) -> bool:
    """Whether any day from `first` to `last` lies in a year without a confirmed schedule."""
    lo, hi = sorted((first, last))
    return not snapshot().all_confirmed(lo.year, hi.year)


def unconfirmed_years(first: date, last: date) -> list[int]:
    """The years from `first` to `last` whose schedule is not confirmed."""
    lo, hi = sorted((first, last))
    return snapshot().unconfirmed_years(lo.year, hi.year)


# --- Results that explain themselves ----------------------------------------------------------


def format_day(day: date) -> str:
    """2026年12月10日, the interface's date format."""
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def format_years(years: list[int]) -> str:
    """2027年, 2027年、2029年, or 2027年至2199年 for a run of consecutive years."""
    runs: list[list[int]] = []
    for year in years:
        if runs and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    parts = [
        _("%(year)d年") % {"year": a} if a == b else _("%(a)d年至%(b)d年") % {"a": a, "b": b}
        for a, b in runs
    ]
    return "、".join(parts)


def provisional_note(years: list[int]) -> str:
    return _("%(years)s工作日安排尚未确认，按周一至周五计算，结果为暂定") % {
        "years": format_years(years)
    }


@dataclass(frozen=True)
class WorkdayDate:
    """A date computed on the calendar, whether it is provisional, and why it is that date."""

    date: date
    provisional: bool
    explanation: str
    unconfirmed_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class WorkdayCount:
    count: int
    provisional: bool
    explanation: str
    unconfirmed_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class WorkdayCheck:
    date: date
    workday: bool
    name: str
    provisional: bool
    explanation: str


_LISTED_DAYS = 5


def _span_details(snap: Snapshot, first: int, last: int) -> str:
    """Holidays and worked weekends within the span, in words ("" when none)."""
    found = snap.adjustments_between(first, last)
    if not found:
        return ""
    holidays: list[str] = []
    worked: list[str] = []
    for ordinal, workday, name in found:
        if workday:
            worked.append(format_day(date.fromordinal(ordinal)))
        elif name not in holidays:
            holidays.append(name)
    parts = []
    if holidays:
        parts.append(_("期间的节假日：%(names)s") % {"names": "、".join(holidays)})
    if worked:
        listed = "、".join(worked[:_LISTED_DAYS])
        if len(worked) > _LISTED_DAYS:
            listed = _("%(days)s等%(n)d天") % {"days": listed, "n": len(worked)}
        parts.append(_("调休上班日：%(days)s") % {"days": listed})
    return "；".join(parts)


def _sentence(parts: list[str]) -> str:
    return "；".join(p for p in parts if p) + "。"


def add_workdays_result(day: date, days: int) -> WorkdayDate:
    """add_workdays with its provisional flag and an explanation in words."""
    snap = snapshot()
    _check_days(days, snap)
    start = _ordinal(day, snap)
    result = _add(snap, start, days)
    found = date.fromordinal(result)
    # The days consulted: (start, result] forward, [result, start) backward, [start, result]
    # for n = 0.
    if days > 0:
        first, last = start + 1, result
        head = _("%(start)s后第%(n)d个工作日为%(end)s（开始当日不计入）") % {
            "start": format_day(day),
            "n": days,
            "end": format_day(found),
        }
    elif days < 0:
        first, last = result, start - 1
        head = _("%(start)s前第%(n)d个工作日为%(end)s") % {
            "start": format_day(day),
            "n": -days,
            "end": format_day(found),
        }
    else:
        first, last = start, result
        if result == start:
            head = _("%(start)s是工作日") % {"start": format_day(day)}
        else:
            head = _("%(start)s不是工作日，其后第一个工作日为%(end)s") % {
                "start": format_day(day),
                "end": format_day(found),
            }
    lo, hi = date.fromordinal(first).year, date.fromordinal(last).year
    missing = () if snap.all_confirmed(lo, hi) else tuple(snap.unconfirmed_years(lo, hi))
    return WorkdayDate(
        date=found,
        provisional=bool(missing),
        explanation=_sentence(
            [
                head,
                _span_details(snap, first, last),
                provisional_note(list(missing)) if missing else "",
            ]
        ),
        unconfirmed_years=missing,
    )


def workdays_between_result(start: date, end: date) -> WorkdayCount:
    """workdays_between with its provisional flag and an explanation in words."""
    snap = snapshot()
    a, b = _ordinal(start, snap), _ordinal(end, snap)
    count = snap.count_through(b) - snap.count_through(a)
    first, last = (a + 1, b) if b > a else (b + 1, a)
    if b == a:
        head = _("开始与结束为同一天，工作日数为0")
        missing: tuple[int, ...] = ()
        details = ""
    else:
        head = _("%(start)s（不含）至%(end)s（含）共有%(n)d个工作日") % {
            "start": format_day(min(start, end)),
            "end": format_day(max(start, end)),
            "n": abs(count),
        }
        if b < a:
            head += _("（结束日期早于开始日期，计为负数）")
        lo, hi = date.fromordinal(first).year, date.fromordinal(last).year
        missing = () if snap.all_confirmed(lo, hi) else tuple(snap.unconfirmed_years(lo, hi))
        details = _span_details(snap, first, last)
    return WorkdayCount(
        count=count,
        provisional=bool(missing),
        explanation=_sentence([head, details, provisional_note(list(missing)) if missing else ""]),
        unconfirmed_years=missing,
    )


def is_workday_result(day: date) -> WorkdayCheck:
    """is_workday with the day's name (holiday or worked weekend) and its provisional flag."""
    snap = snapshot()
    ordinal = _ordinal(day, snap)
    workday = snap.is_workday_ordinal(ordinal)
    name = snap.days.get(ordinal, (workday, ""))[1]
    provisional = not snap.all_confirmed(day.year, day.year)
    if name:
        head = (
            _("%(day)s为工作日（%(name)s）") if workday else _("%(day)s为休息日（%(name)s）")
        ) % {"day": format_day(day), "name": name}
    else:
        head = (_("%(day)s为工作日") if workday else _("%(day)s为休息日")) % {
            "day": format_day(day)
        }
    return WorkdayCheck(
        date=day,
        workday=workday,
        name=name,
        provisional=provisional,
        explanation=_sentence([head, provisional_note([day.year]) if provisional else ""]),
    )


def weekdays_in_year(year: int) -> int:
    """Monday–Friday days of a year (the count before any adjustment)."""
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    return _weekdays_through(last) - _weekdays_through(first - 1)
