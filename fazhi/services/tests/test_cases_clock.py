"""The clocks of a case (property tests), the steps as a state machine, and the overdue sweep.

The test calendar is Monday–Friday (no schedule loaded). Accepted Monday 2 March 2026 with
10/20 working days: promised due Monday 16 March, statutory due Monday 30 March.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi.core.calendar import add_workdays, workdays_between
from fazhi.core.errors import DomainError
from fazhi.core.models import Event
from fazhi.core.notify.models import Notification
from fazhi.core.notify.sweeps import registered_sweeps
from fazhi.services.models import ServiceCase
from fazhi.services.services import cases as services
from fazhi.services.tests.test_cases_setup import (  # noqa: F401 - fixtures
    decided,
    office_fixture,
    register,
)

pytestmark = pytest.mark.django_db
State = ServiceCase.State
MON = date(2026, 3, 2)


def expected_due(accepted: date, days: int, requested: date | None, received: date | None):
    """The rule in words: add_workdays(accepted_on, days), moved by the working days of the 补正
    pause (its first counted day to the day the materials arrived, both inclusive) when it began
    on or before that day; None while the pause is open."""
    due = add_workdays(accepted, days)
    if requested is None:
        return due
    first = max(requested, accepted + timedelta(days=1))
    if first > due:
        return due
    if received is None:
        return None
    paused = workdays_between(first - timedelta(days=1), received)
    return add_workdays(due, paused) if paused else due


days_st = st.integers(min_value=1, max_value=60)
accepted_st = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30))


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    accepted=accepted_st,
    promised=days_st,
    extra=st.integers(min_value=0, max_value=40),
    ask_after=st.integers(min_value=0, max_value=90),
    paused_for=st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
)
def test_due_dates_follow_the_calendar_and_the_pause(
    db, accepted, promised, extra, ask_after, paused_for
):
    # Given a case accepted on `accepted` with its limits, asked to supplement `ask_after`
    # days later and supplied `paused_for` days after that (None: not yet)
    statutory = promised + extra
    requested = accepted + timedelta(days=ask_after)
    received = None if paused_for is None else requested + timedelta(days=paused_for)
    case = ServiceCase(
        accepted_on=accepted,
        promised_days=promised,
        statutory_days=statutory,
        supplement_requested_on=requested,
        supplement_received_on=received,
    )
    # When the deadlines are derived
    case.derive_due_dates()
    # Then each is add_workdays(accepted_on, days) moved by the paused working days
    assert case.promised_due_on == expected_due(accepted, promised, requested, received)
    assert case.statutory_due_on == expected_due(accepted, statutory, requested, received)
    # And without a pause it is plain add_workdays
    plain = ServiceCase(accepted_on=accepted, promised_days=promised, statutory_days=statutory)
    plain.derive_due_dates()
    assert plain.promised_due_on == add_workdays(accepted, promised)
    assert plain.statutory_due_on == add_workdays(accepted, statutory)
    if case.promised_due_on is not None:
        assert case.promised_due_on >= plain.promised_due_on


def test_the_services_store_what_the_rule_says(office):
    # 补正 asked Thursday 12 March (in the period), supplied Wednesday 18 March: 5 working days
    case = register(office, received_on=MON)
    case = services.case_accept(actor=office["clerk"], case=case, on=MON)
    case = services.case_request_supplement(
        actor=office["clerk"], case=case, items=["收入证明"], on=date(2026, 3, 12)
    )
    case = services.case_receive_supplement(actor=office["clerk"], case=case, on=date(2026, 3, 18))
    assert case.promised_due_on == expected_due(MON, 10, date(2026, 3, 12), date(2026, 3, 18))
    assert case.promised_due_on == date(2026, 3, 23)
    assert case.statutory_due_on == date(2026, 4, 6)
    assert "暂停5个工作日" in case.clock("promised").explain()


def test_a_supplement_asked_after_the_deadline_moves_nothing(office):
    case = register(office, received_on=MON)
    case = services.case_accept(actor=office["clerk"], case=case, on=MON)
    case = services.case_request_supplement(
        actor=office["clerk"], case=case, items=["收入证明"], on=date(2026, 3, 17)
    )
    # The promised clock had run out (16 March); the statutory one stops
    assert (case.promised_due_on, case.statutory_due_on) == (date(2026, 3, 16), None)


# --- The steps as a state machine ----------------------------------------------------------------

ACTIONS = ("accept", "not_accept", "review", "supplement", "receive", "grant", "deny",
           "conclude", "deliver")  # fmt: skip


def _act(office, case, action, day):
    clerk, head = office["clerk"], office["head"]
    calls = {
        "accept": lambda: services.case_accept(actor=clerk, case=case, on=day),
        "not_accept": lambda: services.case_not_accept(
            actor=clerk, case=case, reason="不符", on=day
        ),
        "review": lambda: services.case_start_review(actor=clerk, case=case),
        "supplement": lambda: services.case_request_supplement(
            actor=clerk, case=case, items=["材料"], on=day
        ),
        "receive": lambda: services.case_receive_supplement(actor=clerk, case=case, on=day),
        "grant": lambda: services.case_grant(actor=head, case=case, on=day),
        "deny": lambda: services.case_deny(actor=head, case=case, reason="不符", on=day),
        "conclude": lambda: services.case_conclude(actor=clerk, case=case, on=day)[0],
        "deliver": lambda: services.case_deliver(actor=clerk, case=case, method="post", on=day),
    }
    return calls[action]()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=-3, max_value=6)),
        min_size=1,
        max_size=12,
    )
)
def test_any_sequence_of_steps_keeps_the_case_consistent(office, steps):
    # Given a case received on Monday 2 March 2026
    case = register(office, received_on=MON)
    day = MON
    for action, shift in steps:
        # When someone tries a step dated a few days after (or before) the last one
        before = ServiceCase.objects.get(pk=case.pk)
        try:
            case = _act(office, case, action, min(day + timedelta(days=shift), MON + timedelta(60)))
        except DomainError:
            # Then a refused step changes nothing
            after = ServiceCase.objects.get(pk=case.pk)
            assert (after.state, after.last_step_on(), after.decision) == (
                before.state, before.last_step_on(), before.decision,
            )  # fmt: skip
            continue
        day = case.last_step_on()
    # And the dates never go backwards, and each state has what it needs
    case = ServiceCase.objects.get(pk=case.pk)
    dates = [
        d
        for d in (
            case.received_on,
            case.accepted_on,
            case.supplement_requested_on,
            case.supplement_received_on,
            case.decided_on,
            case.concluded_on,
            case.delivered_on,
        )
        if d is not None
    ]
    assert dates == sorted(dates)
    if case.state in (State.GRANTED, State.DENIED, State.CONCLUDED, State.DELIVERED):
        assert case.decision in ("granted", "denied") and case.decided_on is not None
    if case.state in (State.CONCLUDED, State.DELIVERED, State.NOT_ACCEPTED):
        assert case.concluded_on is not None
    if case.state == State.SUPPLEMENT:
        assert case.supplement_received_on is None
    if case.accepted_on is not None and case.state != State.SUPPLEMENT:
        assert case.promised_due_on == expected_due(
            case.accepted_on, 10, case.supplement_requested_on, case.supplement_received_on
        )


# --- The overdue sweep --------------------------------------------------------------------------


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(6, 0)))


def notices(kind: str) -> list[tuple[int, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", "dedupe_key"))


def test_the_sweep_is_registered():
    assert registered_sweeps()[services.SWEEP_NAME] is services.case_overdue_sweep


def test_the_sweep_flags_and_escalates_once(office):
    # Given a case accepted 2 March (promised due 16 March, statutory due 30 March) and one
    # concluded on time
    case = services.case_accept(
        actor=office["clerk"], case=register(office, received_on=MON), on=MON
    )
    done, _links = services.case_conclude(
        actor=office["clerk"], case=decided(office, on=MON, seq=2), on=MON
    )
    # When the sweep runs on the deadline day: nothing is overdue yet (one reminder)
    assert services.case_overdue_sweep(at(date(2026, 3, 16))) == 1
    assert not Notification.objects.filter(kind="services_case_overdue").exists()
    # When it runs the day after, twice
    assert services.case_overdue_sweep(at(date(2026, 3, 17))) == 2
    assert services.case_overdue_sweep(at(date(2026, 3, 17))) == 0
    # Then the case is flagged 1, its handler and department head told once
    case.refresh_from_db()
    assert case.overdue == ServiceCase.Overdue.PROMISED
    key = f"services.case.overdue:{case.pk}:1"
    assert notices("services_case_overdue") == sorted(
        [(office["clerk"].pk, key), (office["head"].pk, key)]
    )
    # When it runs after the statutory deadline, twice
    assert services.case_overdue_sweep(at(date(2026, 3, 31))) == 2
    assert services.case_overdue_sweep(at(date(2026, 4, 1))) == 0
    # Then the legal office and the leaders are told (escalation)
    case.refresh_from_db()
    assert case.overdue == ServiceCase.Overdue.STATUTORY
    key2 = f"services.case.overdue:{case.pk}:2"
    assert [n for n in notices("services_case_overdue") if n[1] == key2] == sorted(
        [(office["officer"].pk, key2), (office["leader"].pk, key2)]
    )
    assert list(
        Event.objects.filter(verb="services.cases.overdue")
        .order_by("seq")
        .values_list("data__level", flat=True)
    ) == [1, 2]
    # And the case concluded on time was never flagged
    done.refresh_from_db()
    assert (done.overdue, done.on_time_promised) == (0, True)


def test_a_case_found_past_both_deadlines_is_told_to_everyone_at_once(office):
    case = services.case_accept(
        actor=office["clerk"], case=register(office, received_on=MON), on=MON
    )
    assert services.case_overdue_sweep(at(date(2026, 4, 1))) == 4
    case.refresh_from_db()
    assert case.overdue == 2


def test_a_concluded_case_keeps_its_flags(office):
    case = decided(office, on=MON)
    services.case_overdue_sweep(at(date(2026, 3, 17)))
    case.refresh_from_db()
    assert case.overdue == 1
    case, _links = services.case_conclude(actor=office["clerk"], case=case, on=date(2026, 3, 18))
    services.case_overdue_sweep(at(date(2026, 4, 1)))
    case.refresh_from_db()
    assert (case.overdue, case.on_time_promised, case.on_time_statutory) == (1, False, True)


def test_the_handler_is_reminded_before_the_deadline_once(office):
    case = services.case_accept(
        actor=office["clerk"], case=register(office, received_on=MON), on=MON
    )
    # 11 March is 3 working days before 16 March (default: remind 2 before)
    assert services.case_overdue_sweep(at(date(2026, 3, 11))) == 0
    assert services.case_overdue_sweep(at(date(2026, 3, 12))) == 1
    assert services.case_overdue_sweep(at(date(2026, 3, 13))) == 0
    assert notices("services_case_due") == [
        (office["clerk"].pk, f"services.case.due:{case.pk}:2026-03-16")
    ]


# --- 待办 -----------------------------------------------------------------------------------------


def test_the_cases_waiting_for_each_person_are_their_tasks(office):
    from fazhi.workspace.tasks import tasks_for

    new = register(office, seq=1, received_on=MON)
    mine = services.case_accept(actor=office["clerk"], case=register(office, seq=2), on=None)
    review = services.case_start_review(
        actor=office["clerk2"],
        case=services.case_accept(actor=office["clerk2"], case=register(office, seq=3), on=None),
    )

    def titles(user):
        return [str(t.title) for t in tasks_for(user) if str(t.module) == "办件"]

    # The relief clerk: the department's new case, and the case they handle
    assert titles(office["clerk"]) == [
        f"开始审查：{mine.case_number} 养老机构备案",
        f"受理：{new.case_number} 养老机构备案",
    ]
    # The head: the case under review, to decide
    assert titles(office["head"]) == [f"审批（准予或不予）：{review.case_number} 养老机构备案"]
    # Another department's clerk and the overseer: nothing
    assert titles(office["social_clerk"]) == [] and titles(office["overseer"]) == []
