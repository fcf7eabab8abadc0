"""Legal clocks: budget, pauses, extensions, Art. 203, explanations, rules as data."""

from datetime import date

import pytest

from fazhi.core.calendar import Clock, Extension, Pause, add_workdays, clock_rule_for
from fazhi.core.calendar.models import ClockRule
from fazhi.core.errors import InvalidInput
from fazhi.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

THIRD_PARTY = "征求第三方意见"


def test_the_design_example_explains_itself(schedule_2026):
    clock = Clock(
        start=date(2026, 12, 10),
        budget=20,
        pauses=[Pause(date(2026, 12, 15), date(2026, 12, 17), THIRD_PARTY)],
        extensions=[Extension(10, "需要调取档案", "张主任")],
    )
    # 20 + 10 + 3 working days after 10 December, Monday–Friday in 2027.
    assert clock.due_on == date(2027, 1, 26)
    assert clock.provisional
    assert clock.explain() == (
        "自2026年12月10日起20个工作日（开始当日不计入）；"
        "因征求第三方意见暂停3个工作日（2026年12月15日至2026年12月17日）；"
        "延长10个工作日（需要调取档案，批准人：张主任）；"
        "截止日为2027年1月26日；"
        "2027年工作日安排尚未确认，按周一至周五计算，结果为暂定。"
    )


def test_a_clock_inside_a_confirmed_year_is_final(schedule_2026):
    clock = Clock(start=date(2026, 9, 21), budget=20)
    # National Day (1–7 October) is skipped; 10 October is a working Saturday.
    assert clock.due_on == date(2026, 10, 26)
    assert not clock.provisional
    assert (
        clock.explain() == "自2026年9月21日起20个工作日（开始当日不计入）；截止日为2026年10月26日。"
    )


def test_pauses_over_a_holiday_move_only_by_working_days(schedule_2026):
    plain = Clock(start=date(2026, 9, 21), budget=20)
    paused = Clock(
        start=date(2026, 9, 21),
        budget=20,
        pauses=[Pause(date(2026, 9, 30), date(2026, 10, 8), THIRD_PARTY)],
    )
    # 30 September and 8 October are the only working days in the pause.
    assert paused.outcome.effects[0].days == 2
    assert paused.due_on == date(2026, 10, 28)
    assert plain.due_on == date(2026, 10, 26)


def test_overlapping_pauses_are_counted_once(schedule_2026):
    clock = Clock(
        start=date(2026, 3, 2),
        budget=20,
        pauses=[
            Pause(date(2026, 3, 4), date(2026, 3, 6), THIRD_PARTY),
            Pause(date(2026, 3, 5), date(2026, 3, 9), "征求其他机关意见"),
        ],
    )
    (effect,) = clock.outcome.effects
    assert (effect.start, effect.end, effect.days) == (date(2026, 3, 4), date(2026, 3, 9), 4)
    assert effect.reasons == (THIRD_PARTY, "征求其他机关意见")
    assert clock.due_on == Clock(start=date(2026, 3, 2), budget=24).due_on


def test_a_pause_after_the_due_date_changes_nothing(schedule_2026):
    clock = Clock(
        start=date(2026, 3, 2),
        budget=5,
        pauses=[Pause(date(2026, 4, 1), date(2026, 4, 10), THIRD_PARTY)],
    )
    assert clock.due_on == date(2026, 3, 9)
    assert "时期限已届满，不影响截止日" in clock.explain()


def test_pause_days_before_the_start_are_not_counted(schedule_2026):
    clock = Clock(
        start=date(2026, 3, 4),
        budget=5,
        pauses=[Pause(date(2026, 3, 2), date(2026, 3, 5), THIRD_PARTY)],
    )
    # Only 5 March (after the start day) is paused.
    assert clock.outcome.effects[0].days == 1
    assert clock.due_on == date(2026, 3, 12)


def test_an_open_pause_stops_the_clock(schedule_2026):
    clock = Clock(
        start=date(2026, 3, 2), budget=20, pauses=[Pause(date(2026, 3, 10), None, THIRD_PARTY)]
    )
    assert clock.due_on is None
    assert clock.stopped
    assert clock.explain() == (
        "自2026年3月2日起20个工作日（开始当日不计入）；"
        "自2026年3月10日起因征求第三方意见暂停，尚未恢复，期限停止计算。"
    )
    resumed = clock.resumed_on(date(2026, 3, 12))
    assert resumed.due_on == Clock(start=date(2026, 3, 2), budget=23).due_on


def test_a_calendar_day_period_ending_on_a_holiday_ends_on_the_next_working_day(schedule_2026):
    """民法典 Art. 203."""
    clock = Clock(start=date(2026, 9, 3), budget=30, unit="calendar")
    assert clock.due_on == date(2026, 10, 8)
    assert clock.outcome.moved_from == date(2026, 10, 3)
    assert clock.explain() == (
        "自2026年9月3日起30个自然日（开始当日不计入）；"
        "期限末日2026年10月3日不是工作日，顺延至2026年10月8日；截止日为2026年10月8日。"
    )
    # Ending on the worked Saturday 10 October: no move.
    assert Clock(start=date(2026, 9, 10), budget=30, unit="calendar").due_on == date(2026, 10, 10)


def test_a_calendar_day_pause_counts_every_day(schedule_2026):
    clock = Clock(
        start=date(2026, 3, 2),
        budget=10,
        unit="calendar",
        pauses=[Pause(date(2026, 3, 5), date(2026, 3, 8), THIRD_PARTY)],
    )
    assert clock.due_on == date(2026, 3, 16)  # 12 March + 4 days


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"budget": 0}, "invalid_days"),
        ({"budget": 3651}, "too_many_days"),
        ({"unit": "hours"}, "invalid_unit"),
        (
            {"extensions": [Extension(15, "x"), Extension(10, "y")], "max_extension_days": 20},
            "extension_exceeds_limit",
        ),
    ],
)
def test_invalid_clocks_are_refused(db, kwargs, code):
    with pytest.raises(InvalidInput) as exc:
        Clock(start=date(2026, 3, 2), **{"budget": 20, **kwargs})
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: Pause(date(2026, 3, 5), date(2026, 3, 4), THIRD_PARTY), "pause_end_before_start"),
        (lambda: Pause(date(2026, 3, 5), None, " "), "reason_required"),
        (lambda: Extension(0, "x"), "invalid_extension"),
        (lambda: Extension(5, ""), "reason_required"),
    ],
)
def test_invalid_ledger_entries_are_refused(build, code):
    with pytest.raises(InvalidInput) as exc:
        build()
    assert exc.value.code == code


def test_the_default_rules_are_seeded_from_domain_rules():
    reply = clock_rule_for(None, "disclosure-reply")
    assert (reply.unit, reply.budget_days, reply.max_extension_days) == ("working", 20, 20)
    assert reply.pause_reasons == [THIRD_PARTY, "征求其他机关意见"]
    seeded = dict(ClockRule.objects.filter(agency=None).values_list("procedure", "budget_days"))
    assert seeded == {
        "disclosure-reply": 20,
        "disclosure-supplement-notice": 7,
        "disclosure-third-party-consultation": 15,
        "disclosure-proactive": 20,
        "legality-review": 15,
        "enforcement-publicity-licence-penalty": 7,
        "enforcement-publicity-other": 20,
        "bad-review-rectification": 15,
    }
    assert ClockRule.objects.get(procedure="legality-review").note.startswith("未确认")


def test_an_agency_rule_overrides_the_default():
    agency, other = AgencyFactory(), AgencyFactory()
    ClockRule.objects.create(
        agency=agency,
        procedure="bad-review-rectification",
        name="差评整改（本局）",
        unit="working",
        budget_days=5,
    )
    assert clock_rule_for(agency, "bad-review-rectification").budget_days == 5
    assert clock_rule_for(other, "bad-review-rectification").budget_days == 15
    with pytest.raises(InvalidInput) as exc:
        clock_rule_for(agency, "no-such-procedure")
    assert exc.value.code == "unknown_clock_rule"


def test_a_rule_builds_its_clock_and_refuses_other_pause_reasons(schedule_2026):
    rule = clock_rule_for(None, "disclosure-reply")
    clock = rule.clock(
        date(2026, 3, 2),
        pauses=[Pause(date(2026, 3, 4), date(2026, 3, 4), THIRD_PARTY)],
        extensions=[Extension(20, "情况复杂", "公开办负责人")],
    )
    # 20 + 20 working days, plus the paused 4 March; Qingming (6 April) is skipped.
    assert clock.due_on == add_workdays(date(2026, 3, 2), 41) == date(2026, 4, 29)
    with pytest.raises(InvalidInput) as exc:
        rule.clock(date(2026, 3, 2), pauses=[Pause(date(2026, 3, 4), None, "领导出差")])
    assert exc.value.code == "pause_reason_not_allowed"
    with pytest.raises(InvalidInput) as exc:
        rule.clock(date(2026, 3, 2), extensions=[Extension(21, "情况复杂")])
    assert exc.value.code == "extension_exceeds_limit"
