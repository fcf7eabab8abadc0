"""Property tests: the arithmetic equals day-by-day counting, and the round trip holds."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi.core import calendar
from fazhi.core.calendar.workdays import Snapshot, _add

# The schedule fixture is loaded once per test; the examples only read it.
db_settings = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

FIRST, LAST = date(2030, 1, 1), date(2031, 12, 31)
DAYS = st.dates(min_value=FIRST, max_value=LAST)


def _naive_is_workday(day: date, adjustments: dict[date, bool], confirmed: set[int]) -> bool:
    if day.year in confirmed and day in adjustments:
        return adjustments[day]
    return day.weekday() < 5


def _naive_add(day, n, adjustments, confirmed):
    step = 1 if n > 0 else -1
    if n == 0:
        while not _naive_is_workday(day, adjustments, confirmed):
            day += timedelta(days=1)
        return day
    left = abs(n)
    while left:
        day += timedelta(days=step)
        if _naive_is_workday(day, adjustments, confirmed):
            left -= 1
    return day


@st.composite
def calendars(draw):
    """Random adjustments in 2030–2031 (any day may be flipped) and a random confirmed set."""
    flipped = draw(st.sets(DAYS, max_size=60))
    adjustments = {d: not (d.weekday() < 5) for d in flipped}
    confirmed = draw(st.sets(st.sampled_from([2029, 2030, 2031, 2032]), max_size=4))
    snap = Snapshot.build(
        revision=1,
        adjustments=[(d, w, "x") for d, w in adjustments.items()],
        confirmed_years=sorted(confirmed),
    )
    return snap, adjustments, confirmed


@settings(max_examples=300, deadline=None)
@given(calendars(), DAYS, st.integers(min_value=-120, max_value=120))
def test_arithmetic_equals_counting_day_by_day(calendar_data, day, n):
    snap, adjustments, confirmed = calendar_data
    expected = _naive_add(day, n, adjustments, confirmed)
    assert date.fromordinal(_add(snap, day.toordinal(), n)) == expected
    assert snap.is_workday_ordinal(day.toordinal()) == _naive_is_workday(
        day, adjustments, confirmed
    )


@settings(max_examples=200, deadline=None)
@given(calendars(), DAYS, DAYS)
def test_count_equals_counting_day_by_day(calendar_data, a, b):
    snap, adjustments, confirmed = calendar_data
    lo, hi = sorted((a, b))
    counted = sum(
        1
        for i in range(1, (hi - lo).days + 1)
        if _naive_is_workday(lo + timedelta(days=i), adjustments, confirmed)
    )
    got = snap.count_through(b.toordinal()) - snap.count_through(a.toordinal())
    assert got == (counted if b >= a else -counted)


@pytest.mark.django_db
@db_settings
@given(
    day=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 12, 31)),
    n=st.integers(min_value=0, max_value=400),
)
def test_round_trip_from_a_working_day(schedule_2026, day, n):
    """workdays_between(d, add_workdays(d, n)) == n for working days d (and n ≥ 1 for any d)."""
    if calendar.is_workday(day) or n >= 1:
        assert calendar.workdays_between(day, calendar.add_workdays(day, n)) == n
    if calendar.is_workday(day):
        assert calendar.workdays_between(day, calendar.add_workdays(day, -n)) == -n


@pytest.mark.django_db
@db_settings
@given(
    day=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 12, 31)),
    n=st.integers(min_value=1, max_value=400),
)
def test_results_are_working_days_and_grow_with_n(schedule_2026, day, n):
    found = calendar.add_workdays(day, n)
    assert calendar.is_workday(found)
    assert found > day
    assert calendar.add_workdays(day, n + 1) > found


@st.composite
def pauses(draw, start: date):
    count = draw(st.integers(min_value=0, max_value=4))
    found = []
    for _ in range(count):
        begin = start + timedelta(days=draw(st.integers(min_value=-10, max_value=90)))
        length = draw(st.integers(min_value=0, max_value=30))
        found.append(calendar.Pause(begin, begin + timedelta(days=length), "征求第三方意见"))
    return found


@pytest.mark.django_db
@db_settings
@given(
    data=st.data(),
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
    budget=st.integers(min_value=1, max_value=60),
    unit=st.sampled_from(["working", "calendar"]),
)
def test_a_clock_with_pauses_never_ends_before_the_same_clock_without_them(
    schedule_2026, data, start, budget, unit
):
    plain = calendar.Clock(start=start, budget=budget, unit=unit)
    paused_list = data.draw(pauses(start))
    paused = calendar.Clock(start=start, budget=budget, unit=unit, pauses=paused_list)
    assert paused.due_on >= plain.due_on
    # Each further pause can only move the due date later.
    if paused_list:
        fewer = calendar.Clock(start=start, budget=budget, unit=unit, pauses=paused_list[:-1])
        assert paused.due_on >= fewer.due_on
    assert calendar.is_workday(paused.due_on)
