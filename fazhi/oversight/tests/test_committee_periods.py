"""Period arithmetic of the committee check (committee_periods): every day belongs to exactly one
period of each frequency, periods tile the year, due dates are working days after the period end,
and the text forms read back to the same period."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi.core.calendar import is_workday, workdays_between
from fazhi.oversight import committee_periods as cp

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
frequencies = st.sampled_from(cp.COUNTED)

pytest_plugins = ["fazhi.oversight.tests.committee_fixtures"]


@given(day=days, frequency=frequencies)
def test_every_day_belongs_to_exactly_one_period(day, frequency):
    period = cp.period_of(day, frequency)
    assert period.start <= day <= period.end
    # The neighbours do not contain it, and they touch it without a gap
    before = cp.period_of(period.start - timedelta(days=1), frequency)
    after = cp.next_period(period)
    assert before.end + timedelta(days=1) == period.start
    assert period.end + timedelta(days=1) == after.start
    assert not before.start <= day <= before.end
    assert not after.start <= day <= after.end
    # Every day of the period maps to the same period
    assert cp.period_of(period.start, frequency) == period == cp.period_of(period.end, frequency)
    assert (period.end.month - period.start.month + 1) == cp.MONTHS[frequency]


@given(first=days, span=st.integers(min_value=0, max_value=800), frequency=frequencies)
def test_periods_ending_in_a_window_tile_it(first, span, frequency):
    last = first + timedelta(days=span)
    periods = cp.periods_ending_between(first, last, frequency)
    assert all(first <= p.end <= last for p in periods)
    for a, b in itertools.pairwise(periods):
        assert a.end + timedelta(days=1) == b.start
    # None left out: the period after the last one ends after the window
    following = cp.next_period(periods[-1]) if periods else cp.period_of(first, frequency)
    assert following.end > last or following.end < first


@given(day=days, frequency=st.sampled_from((*cp.COUNTED, cp.IMMEDIATELY)))
def test_text_forms_read_back(day, frequency):
    period = cp.period_of(day, frequency)
    assert cp.parse(period.key) == period


@pytest.mark.django_db
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 30)),
    frequency=frequencies,
    grace=st.integers(min_value=1, max_value=30),
)
def test_due_on_is_the_grace_th_working_day_after_the_period_end(schedule, day, frequency, grace):
    period = cp.period_of(day, frequency)
    due = cp.due_on(period, grace)
    assert due > period.end
    assert is_workday(due)
    assert workdays_between(period.end, due) == grace


@given(
    posted=st.one_of(st.none(), days),
    due=days,
    today=days,
)
def test_status_is_decided_by_the_posting_then_by_today(posted, due, today):
    found = cp.status(today=today, due=due, posted_on=posted)
    if posted is None:
        assert found == (cp.MISSING if today > due else cp.PENDING)
    else:
        assert found == (cp.ON_TIME if posted <= due else cp.LATE)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2026-02", "2026-02"),
        ("2026年2月", "2026-02"),
        ("2026/2", "2026-02"),
        ("2026-Q1", "2026-Q1"),
        ("2026年第1季度", "2026-Q1"),
        ("2026年一季度", "2026-Q1"),
        ("2026-H2", "2026-H2"),
        ("2026年下半年", "2026-H2"),
        ("2026", "2026"),
        ("2026年度", "2026"),
        ("2026-02-13", "2026-02-13"),
    ],
)
def test_text_forms(text, key):
    assert cp.parse(text).key == key


@pytest.mark.parametrize(
    "text", ["", "2026-13", "2026-Q5", "=1+1", "1999-01", "二〇二六年", "2026-02-30"]
)
def test_bad_text_is_refused_in_words(text):
    with pytest.raises(cp.PeriodError) as caught:
        cp.parse(text)
    assert "期间" in str(caught.value)


def test_a_period_of_the_wrong_length_for_the_item_is_refused():
    with pytest.raises(cp.PeriodError, match="每月"):
        cp.for_frequency(cp.parse("2026-Q1"), cp.MONTHLY)
    assert cp.for_frequency(cp.parse("2026-Q1"), cp.IMMEDIATELY).key == "2026-Q1"
    assert cp.period_of(date(2026, 5, 17), cp.HALF_YEARLY).label == "2026年上半年"
