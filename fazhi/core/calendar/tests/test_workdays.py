"""add_workdays, workdays_between, is_workday on the imported 2025–2026 schedule."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from fazhi.core import calendar
from fazhi.core.calendar import services, workdays
from fazhi.core.calendar.models import WorkCalendarRevision
from fazhi.core.errors import InvalidInput
from fazhi.core.roles import Role
from fazhi.testing.factories import user_with_role
from fazhi.testing.queries import count_queries

pytestmark = pytest.mark.django_db


def test_the_known_2026_adjustments_hold(schedule_2026):
    assert calendar.is_workday(date(2026, 2, 14))  # Saturday worked for the Spring Festival
    assert calendar.is_workday(date(2026, 2, 28))  # Saturday worked for the Spring Festival
    assert not calendar.is_workday(date(2026, 2, 16))  # Monday of the Spring Festival
    assert not calendar.is_workday(date(2026, 10, 1))  # National Day
    assert calendar.workdays_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


def test_the_counting_examples_of_domain_rules(schedule_2026):
    """domain-rules.md §9: the start day is not counted."""
    assert calendar.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert calendar.add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert calendar.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_every_day_agrees_with_the_package(schedule_2026):
    day = date(2025, 1, 1)
    while day.year < 2027:
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        if day <= date(2026, 11, 1):
            # The package's find_workday(n, d) starts from the next working day on or after d;
            # the n-th working day strictly after d is therefore find_workday(n - 1, d + 1).
            expected = chinese_calendar.find_workday(19, day + timedelta(days=1))
            assert calendar.add_workdays(day, 20) == expected, day
        if day >= date(2025, 3, 1):
            assert calendar.add_workdays(day, -20) == chinese_calendar.find_workday(-20, day)
        day += timedelta(days=1)


def test_zero_days_is_the_day_itself_or_the_next_working_day(schedule_2026):
    assert calendar.add_workdays(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert calendar.add_workdays(date(2026, 2, 15), 0) == date(2026, 2, 24)
    assert calendar.next_workday(date(2026, 10, 3)) == date(2026, 10, 8)


def test_backwards_and_negative_counts(schedule_2026):
    assert calendar.add_workdays(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert calendar.add_workdays(date(2026, 2, 24), -2) == date(2026, 2, 13)
    assert calendar.workdays_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert calendar.workdays_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_a_year_without_a_confirmed_schedule_is_monday_to_friday_and_provisional(schedule_2026):
    # 2027 is unknown: 1 January 2027 (a Friday, surely a holiday) counts as a working day.
    result = calendar.add_workdays_result(date(2026, 12, 10), 20)
    assert result.date == date(2027, 1, 7)
    assert result.provisional is True
    assert result.unconfirmed_years == (2027,)
    assert result.explanation == (
        "2026年12月10日后第20个工作日为2027年1月7日（开始当日不计入）；"
        "2027年工作日安排尚未确认，按周一至周五计算，结果为暂定。"
    )
    inside = calendar.add_workdays_result(date(2026, 2, 13), 2)
    assert inside.provisional is False
    assert inside.explanation == (
        "2026年2月13日后第2个工作日为2026年2月24日（开始当日不计入）；"
        "期间的节假日：春节；调休上班日：2026年2月14日。"
    )


def test_an_empty_calendar_answers_monday_to_friday_never_an_exception(db):
    assert calendar.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 1)
    assert calendar.is_workday(date(2026, 10, 1))
    assert calendar.is_provisional(date(2026, 1, 1), date(2026, 1, 1))
    assert calendar.unconfirmed_years(date(2026, 12, 1), date(2027, 1, 5)) == [2026, 2027]


def test_workdays_between_explains_itself(schedule_2026):
    result = calendar.workdays_between_result(date(2026, 9, 30), date(2026, 10, 9))
    assert result.count == 2  # 8 and 9 October
    assert result.provisional is False
    assert result.explanation == (
        "2026年9月30日（不含）至2026年10月9日（含）共有2个工作日；期间的节假日：国庆节。"
    )


def test_is_workday_result_names_the_day(schedule_2026):
    check = calendar.is_workday_result(date(2026, 2, 28))
    assert (check.workday, check.name, check.provisional) == (True, "春节调休上班", False)
    assert check.explanation == "2026年2月28日为工作日（春节调休上班）。"
    later = calendar.is_workday_result(date(2027, 2, 8))
    assert (later.workday, later.name, later.provisional) == (True, "", True)


@pytest.mark.parametrize(
    ("day", "days", "code"),
    [
        (date(2026, 1, 1), 3651, "too_many_days"),
        (date(2026, 1, 1), -3651, "too_many_days"),
        (date(1899, 12, 31), 1, "date_out_of_range"),
        (date(2199, 12, 30), 5, "date_out_of_range"),
        (date(2026, 1, 1), "5", "invalid_days"),
        (date(2026, 1, 1), True, "invalid_days"),
        ("2026-01-01", 5, "invalid_date"),
    ],
)
def test_bad_input_is_refused_with_a_code(db, day, days, code):
    with pytest.raises(InvalidInput) as exc:
        calendar.add_workdays(day, days)
    assert exc.value.code == code


def test_draft_days_of_an_unconfirmed_year_count_only_once_it_is_confirmed(schedule_2026):
    admin = user_with_role(Role.SYSADMIN)
    services.calendar_day_set(
        actor=admin, day=date(2027, 1, 1), is_workday=False, name="元旦", reason="国办通知"
    )
    assert calendar.is_workday(date(2027, 1, 1))  # still Monday–Friday: 2027 not confirmed
    services.calendar_year_confirm(actor=admin, year=2027, note="国办发明电〔2026〕X号")
    assert not calendar.is_workday(date(2027, 1, 1))
    result = calendar.add_workdays_result(date(2026, 12, 10), 20)
    assert (result.date, result.provisional) == (date(2027, 1, 8), False)


def test_the_hot_path_does_not_touch_the_database(schedule_2026):
    calendar.add_workdays(date(2026, 1, 5), 1)  # loads the cache
    assert (
        count_queries(lambda: [calendar.add_workdays(date(2026, 1, 5), n) for n in range(50)]) == 0
    )


def test_another_process_sees_an_edit_after_the_recheck_interval(schedule_2026, monkeypatch):
    assert not calendar.is_workday(date(2026, 10, 1))
    # Another process clears the day and bumps the revision; this process's copy is still
    # trusted until the recheck interval has passed.
    from fazhi.core.calendar.models import WorkCalendarDay

    WorkCalendarDay.objects.filter(date=date(2026, 10, 1)).delete()
    WorkCalendarRevision.objects.filter(pk=1).update(revision=999)
    assert not calendar.is_workday(date(2026, 10, 1))
    later = workdays._cache.checked_at + workdays.snapshot().recheck_seconds + 1
    monkeypatch.setattr(workdays, "monotonic", lambda: later)
    assert calendar.is_workday(date(2026, 10, 1))
    assert workdays.snapshot().revision == 999


def test_an_unchanged_revision_keeps_the_cached_copy(schedule_2026, monkeypatch):
    first = workdays.snapshot()
    later = workdays._cache.checked_at + first.recheck_seconds + 1
    monkeypatch.setattr(workdays, "monotonic", lambda: later)
    assert count_queries(workdays.snapshot) == 1  # the revision check only
    assert workdays.snapshot() is first


def test_weekdays_in_year():
    assert workdays.weekdays_in_year(2026) == 261
    assert workdays.format_years([2027, 2028, 2030]) == "2027年至2028年、2030年"
