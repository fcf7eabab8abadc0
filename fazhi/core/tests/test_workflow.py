"""core.workflow through its public functions, on the test-only Memo record."""

import threading

import pytest
from django.db import connection, connections

from fazhi.core import workflow
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Countersign, Event
from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role
from fazhi.testing.workflow_app.models import Memo


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency)


@pytest.fixture
def officer(agency):
    return user_with_role(Role.LEGAL_OFFICER, agency=agency)


@pytest.fixture
def memo(agency, clerk):
    return Memo.objects.create(
        agency=agency, title="关于低保复核的说明", body="正文", assignee=clerk
    )


def events(memo):
    return list(
        Event.objects.filter(target_id=str(memo.pk), target_type="workflow_demo.memo").order_by(
            "seq"
        )
    )


def test_perform_runs_the_transition_and_writes_one_event(memo, clerk):
    record = workflow.perform(memo, "submit", actor=clerk, comment="请审核")
    assert record.state == "submitted"
    assert Memo.objects.get(pk=memo.pk).state == "submitted"
    (event,) = events(memo)
    assert (event.verb, event.from_state, event.to_state) == (
        "workflow_demo.memo.submit",
        "draft",
        "submitted",
    )
    assert event.data["comment"] == "请审核" and event.actor == clerk


def test_unknown_action_is_refused(memo, clerk):
    with pytest.raises(InvalidInput) as exc:
        workflow.perform(memo, "explode", actor=clerk)
    assert exc.value.code == "unknown_action"
    assert events(memo) == []


def test_wrong_state_is_a_conflict_and_writes_nothing(memo, officer):
    with pytest.raises(Conflict) as exc:
        workflow.perform(memo, "approve", actor=officer)
    assert exc.value.code == "state_changed"
    assert "起草" in str(exc.value.message)
    assert Memo.objects.get(pk=memo.pk).state == "draft" and events(memo) == []


def test_role_is_checked(memo, officer, clerk):
    with pytest.raises(NotAllowed):
        workflow.perform(memo, "submit", actor=officer)
    workflow.perform(memo, "submit", actor=clerk)
    with pytest.raises(NotAllowed):
        workflow.perform(memo, "approve", actor=clerk)
    assert len(events(memo)) == 1


def test_guard_refuses_with_its_message(agency, clerk):
    empty = Memo.objects.create(agency=agency, title="空", body=" ")
    with pytest.raises(Conflict) as exc:
        workflow.perform(empty, "submit", actor=clerk)
    assert exc.value.code == "body_required" and str(exc.value.message) == "正文不能为空。"
    assert events(empty) == []


def test_return_needs_a_reason(memo, clerk, officer):
    workflow.perform(memo, "submit", actor=clerk)
    with pytest.raises(InvalidInput) as exc:
        workflow.perform(memo, "send_back", actor=officer, comment="  ")
    assert exc.value.code == "comment_required"
    record = workflow.perform(memo, "send_back", actor=officer, comment="依据不足")
    assert record.state == "draft" and record.returned_count == 1


def test_expected_state_guards_stale_pages(memo, clerk):
    with pytest.raises(Conflict):
        workflow.perform(memo, "submit", actor=clerk, expected_state="submitted")


def test_withdraw_before_anyone_acts(memo, clerk, officer):
    submitted = workflow.perform(memo, "submit", actor=clerk)
    assert "withdraw" in [a["name"] for a in workflow.available_actions(submitted, clerk)]
    with pytest.raises(Conflict):
        workflow.withdraw(memo, actor=officer)
    record = workflow.perform(memo, "withdraw", actor=clerk, comment="还需补充")
    assert record.state == "draft"
    assert events(memo)[-1].verb == "workflow_demo.memo.withdraw"


def test_no_withdraw_once_the_next_person_acted(memo, clerk, officer):
    workflow.perform(memo, "submit", actor=clerk)
    workflow.perform(memo, "send_back", actor=officer, comment="补充材料")
    with pytest.raises(Conflict) as exc:
        workflow.withdraw(memo, actor=clerk)
    assert exc.value.code == "cannot_withdraw"


def test_urging_does_not_block_withdrawal_and_is_once_a_day(memo, clerk):
    workflow.perform(memo, "submit", actor=clerk)
    workflow.urge(memo, actor=clerk, comment="请尽快审核")
    with pytest.raises(Conflict) as exc:
        workflow.urge(memo, actor=clerk)
    assert exc.value.code == "already_urged"
    assert workflow.can_withdraw(Memo.objects.get(pk=memo.pk), clerk)


def test_transfer_to_a_colleague(memo, clerk, agency, officer):
    colleague = user_with_role(Role.CLERK, agency=agency)
    with pytest.raises(InvalidInput):
        workflow.transfer(memo, actor=clerk, to_user=officer)
    with pytest.raises(NotAllowed):
        workflow.transfer(memo, actor=colleague, to_user=clerk)
    record = workflow.perform(memo, "transfer", actor=clerk, to_user=colleague)
    assert record.assignee == colleague
    assert events(memo)[-1].data["to_user"] == colleague.pk


def _head_of(department, agency):
    return user_with_role(Role.DEPARTMENT_HEAD, agency=agency, department=department)


@pytest.mark.parametrize(
    ("mode", "opinions", "outcome"),
    [
        ("all", [True, True], "agreed"),
        ("all", [True, False], "rejected"),
        ("all", [True], "pending"),
        ("any", [False, True], "agreed"),
        ("any", [False, False], "rejected"),
        ("any", [False], "pending"),
    ],
)
def test_countersign_modes(memo, clerk, agency, mode, opinions, outcome):
    first, second = DepartmentFactory(agency=agency), DepartmentFactory(agency=agency)
    workflow.perform(memo, "consult", actor=clerk)
    round_ = workflow.countersign_open(
        memo, actor=clerk, departments=[first, second], mode=mode, subject=memo.title
    )
    for department, agree in zip([first, second], opinions, strict=False):
        opinion = round_.opinions.get(department=department)
        round_ = workflow.countersign_opine(
            opinion, actor=_head_of(department, agency), agree=agree, comment="意见"
        )
    assert round_.outcome == outcome


def test_transition_waits_for_countersign(memo, clerk, agency):
    department = DepartmentFactory(agency=agency)
    workflow.perform(memo, "consult", actor=clerk)
    round_ = workflow.countersign_open(
        memo, actor=clerk, departments=[department], mode="all", subject=memo.title
    )
    with pytest.raises(Conflict) as exc:
        workflow.perform(memo, "submit_after_consulting", actor=clerk)
    assert exc.value.code == "countersign_not_agreed"
    outsider = user_with_role(Role.DEPARTMENT_HEAD, agency=agency)
    with pytest.raises(NotAllowed):
        workflow.countersign_opine(round_.opinions.get(), actor=outsider, agree=True)
    with pytest.raises(InvalidInput):
        workflow.countersign_opine(
            round_.opinions.get(), actor=_head_of(department, agency), agree=False
        )
    workflow.countersign_opine(
        round_.opinions.get(), actor=_head_of(department, agency), agree=True
    )
    assert workflow.perform(memo, "submit_after_consulting", actor=clerk).state == "submitted"
    verbs = [e.verb for e in workflow.timeline(memo)]
    assert verbs == [
        "workflow_demo.memo.consult",
        "workflow.countersign_open",
        "workflow.countersign_opinion",
        "workflow_demo.memo.submit_after_consulting",
    ]


def test_one_open_countersign_per_step(memo, clerk, agency):
    workflow.perform(memo, "consult", actor=clerk)
    department = DepartmentFactory(agency=agency)
    workflow.countersign_open(memo, actor=clerk, departments=[department], mode="all", subject="x")
    with pytest.raises(Conflict):
        workflow.countersign_open(
            memo, actor=clerk, departments=[department], mode="all", subject="x"
        )
    with pytest.raises(InvalidInput):
        workflow.countersign_open(
            memo, actor=clerk, departments=[DepartmentFactory()], mode="all", subject="x"
        )
    assert Countersign.objects.count() == 1


def test_available_actions_follow_state_and_role(memo, clerk, officer):
    assert [a["name"] for a in workflow.available_actions(memo, clerk)] == [
        "consult",
        "submit",
        "transfer",
    ]
    assert workflow.available_actions(memo, officer) == []
    workflow.perform(memo, "submit", actor=clerk)
    memo.refresh_from_db()
    names = [a["name"] for a in workflow.available_actions(memo, officer)]
    assert names == ["approve", "send_back"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_conflicting_transitions_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    agency = AgencyFactory()
    clerk = user_with_role(Role.CLERK, agency=agency)
    officer = user_with_role(Role.LEGAL_OFFICER, agency=agency)
    memo = Memo.objects.create(agency=agency, title="并发", body="正文")
    workflow.perform(memo, "submit", actor=clerk)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(action, comment):
        try:
            barrier.wait()
            workflow.perform(Memo.objects.get(pk=memo.pk), action, actor=officer, comment=comment)
            outcomes.append(("ok", action))
        except Conflict as exc:
            outcomes.append(("conflict", exc.code))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("approve", "")),
        threading.Thread(target=act, args=("send_back", "退回")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "ok"]
    assert next(o for o in outcomes if o[0] == "conflict")[1] == "state_changed"
    decided = Event.objects.filter(
        target_type="workflow_demo.memo",
        verb__in=["workflow_demo.memo.approve", "workflow_demo.memo.send_back"],
    )
    assert decided.count() == 1
