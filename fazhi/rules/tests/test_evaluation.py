"""Evaluation before expiry: the sweep opens it six months before `valid_until`, the department
proposes, the legal office confirms (and the outcome applies) or returns; reminders through the
clock, escalation once when the proposal is late."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.deadlines import DeadlineSource, deadline_sweep
from fazhi.core.notify.models import Notification
from fazhi.core.numbering import number_allocate
from fazhi.core.roles import Role
from fazhi.rules import services
from fazhi.rules.models import DocumentLink, ExpiryEvaluation, NormativeDocument
from fazhi.rules.services.evaluation import (
    evaluation_confirm,
    evaluation_propose,
    evaluation_return,
    evaluation_sweep,
    open_evaluations,
)
from fazhi.rules.status import Badge, badge, superseding_dates
from fazhi.testing.factories import DepartmentFactory, user_with_role

# Dates a few years ahead, so services that compare with today (a repeal date) hold whenever
# the suite runs; month and day are fixed so each lead time is an exact, readable date.
Y = timezone.localdate().year + 5
VALID_UNTIL = date(Y, 6, 30)
OPENS = date(Y - 1, 12, 30)  # six months before
DUE = date(Y, 4, 30)  # two months before
CONFIRM_DUE = date(Y, 5, 30)  # one month before
KEPT_UNTIL = date(Y + 5, 6, 30)  # the longest new period of a 规范性文件 (5 years)


def at(day: date) -> datetime:
    """A moment on `day` in the project's time zone (the sweeps take `now`)."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0))


def issued_document(
    office,
    *,
    valid_until=VALID_UNTIL,
    published_on=None,
    department=None,
    topic="",
    title="关于进一步规范最低生活保障审核确认的实施办法",
    agency=None,
    actor=None,
):
    """Given a document that went through its making (test_lifecycle walks every gate):
    numbered and published, in force until `valid_until`."""
    agency = agency or office["agency"]
    actor = actor or office["officer"]
    published_on = published_on or timezone.localdate() - timedelta(days=400)
    document = services.document_create(
        actor=actor,
        agency=agency,
        department=department or office["section"],
        title=title,
        text="第一条 为了规范……\n第二条 本办法自公布之日起施行。",
    )
    return as_issued(document, published_on, valid_until=valid_until, topic=topic, actor=actor)


def as_issued(document, published_on, *, valid_until=VALID_UNTIL, topic=None, actor=None):
    """Given `document` numbered and published on `published_on` (its making is tested in
    test_lifecycle, gate by gate)."""
    number = number_allocate(
        actor=actor or document.created_by,
        agency=document.agency,
        key="rules",
        year=published_on.year,
        target=document,
    )
    NormativeDocument.objects.filter(pk=document.pk).update(
        state="issued",
        doc_number=number,
        published_on=published_on,
        effective_on=published_on,
        valid_until=valid_until,
        interpretation="解读",
        topic=document.topic if topic is None else topic,
    )
    return NormativeDocument.objects.get(pk=document.pk)


@pytest.fixture
def head(office):
    return user_with_role(
        Role.DEPARTMENT_HEAD, agency=office["agency"], department=office["section"]
    )


def opened(office, **kwargs) -> ExpiryEvaluation:
    """Given the sweep has opened the evaluation of an issued document."""
    document = issued_document(office, **kwargs)
    evaluation_sweep(at(OPENS))
    return ExpiryEvaluation.objects.select_related("document").get(document=document)


def notices(user, **filters):
    return Notification.objects.filter(recipient=user, **filters)


# --- The sweep -------------------------------------------------------------------------------


def test_the_sweep_opens_the_evaluation_six_months_before_expiry_once(office, head):
    document = issued_document(office)
    assert evaluation_sweep(at(OPENS - timedelta(days=1))) == 0
    assert not ExpiryEvaluation.objects.exists()

    assert evaluation_sweep(at(OPENS)) == 1
    assert evaluation_sweep(at(OPENS)) == 0
    assert evaluation_sweep(at(OPENS + timedelta(days=3))) == 0

    evaluation = ExpiryEvaluation.objects.get()
    assert (evaluation.document, evaluation.valid_until) == (document, VALID_UNTIL)
    assert (evaluation.requested_on, evaluation.due_on, evaluation.confirm_due_on) == (
        OPENS,
        DUE,
        CONFIRM_DUE,
    )
    for person in (office["clerk"], head):
        notice = notices(person).get()
        assert notice.title == f"请开展到期评估：{document.title}"
        assert f"{Y}年4月30日" in notice.body
        assert notice.url == f"/staff/rules/evaluations/{evaluation.pk}/"
    assert not notices(office["officer"]).exists()
    assert Event.objects.filter(verb="normative.evaluation.open").count() == 1


def test_the_lead_times_are_the_agencys_settings(office):
    from fazhi.core.agency_settings import setting_set

    admin = user_with_role(Role.SYSADMIN, agency=office["agency"])
    setting_set(actor=admin, agency=office["agency"], key="rules.evaluation_months_before", value=3)
    issued_document(office)
    assert evaluation_sweep(at(date(Y, 3, 29))) == 0
    assert evaluation_sweep(at(date(Y, 3, 30))) == 1


def test_no_evaluation_for_ended_superseded_expired_or_unissued_documents(office):
    ended = issued_document(office, title="已废止的文件")
    NormativeDocument.objects.filter(pk=ended.pk).update(
        ended_on=OPENS - timedelta(days=100), ended_as="repealed"
    )
    superseded = issued_document(office, title="已被修订的文件")
    newer = issued_document(office, title="修订后的文件", valid_until=KEPT_UNTIL)
    DocumentLink.objects.create(
        source=newer, target=superseded, kind="revises", created_by=office["officer"]
    )
    issued_document(office, title="已过期的文件", valid_until=OPENS - timedelta(days=1))
    services.document_create(
        actor=office["clerk"],
        agency=office["agency"],
        department=office["section"],
        title="草案",
        text="第一条",
    )
    assert evaluation_sweep(at(OPENS)) == 0
    assert not ExpiryEvaluation.objects.exists()


def test_a_kept_document_is_evaluated_again_for_its_new_period(office):
    evaluation = opened(office)
    evaluation_propose(
        actor=office["clerk"],
        evaluation=evaluation,
        proposal="keep",
        new_valid_until=KEPT_UNTIL,
    )
    evaluation_confirm(actor=office["officer"], evaluation=evaluation)
    assert evaluation_sweep(at(date(Y + 4, 12, 30))) == 1
    assert list(ExpiryEvaluation.objects.values_list("valid_until", flat=True).order_by("pk")) == [
        VALID_UNTIL,
        KEPT_UNTIL,
    ]


def test_an_overdue_proposal_is_escalated_once(office, head):
    evaluation = opened(office)
    assert evaluation_sweep(at(DUE)) == 0  # the due day itself is still in time
    assert evaluation_sweep(at(DUE + timedelta(days=1))) == 1
    assert evaluation_sweep(at(DUE + timedelta(days=1))) == 0
    assert evaluation_sweep(at(DUE + timedelta(days=20))) == 0
    evaluation.refresh_from_db()
    assert evaluation.escalated_on == DUE + timedelta(days=1)
    title = f"【督办】到期评估逾期未报：{evaluation.document.title}"
    for person in (head, office["officer"], office["leader"]):
        assert notices(person, kind="normative_evaluation_overdue").get().title == title
    # The clerk was asked to evaluate; escalation goes up, not back to them.
    assert not notices(office["clerk"], kind="normative_evaluation_overdue").exists()
    assert Event.objects.filter(verb="normative.evaluation.escalate").count() == 1


def test_a_proposal_in_time_is_never_escalated(office):
    evaluation = opened(office)
    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="expire", reason="工作已完成"
    )
    assert evaluation_sweep(at(DUE + timedelta(days=1))) == 0
    evaluation.refresh_from_db()
    assert evaluation.escalated_on is None


def test_reminders_come_before_the_proposal_and_the_confirmation_are_due(office):
    evaluation = opened(office)
    source = [DeadlineSource("normative.evaluations", open_evaluations)]
    # Ten days before there are more working days left than the reminder lead (3).
    assert deadline_sweep(at(DUE - timedelta(days=10)), sources=source) == 0
    assert deadline_sweep(at(DUE), sources=source) == 1
    assert deadline_sweep(at(DUE), sources=source) == 0
    reminder = notices(office["clerk"], kind="deadline_reminder").get()
    assert reminder.title == f"【即将到期】报送到期评估意见：{evaluation.document.title}"
    # Overdue proposals are the evaluation sweep's to escalate (it marks escalated_on).
    assert deadline_sweep(at(DUE + timedelta(days=1)), sources=source) == 0

    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="expire", reason="工作已完成"
    )
    assert deadline_sweep(at(CONFIRM_DUE), sources=source) == 1
    assert notices(office["officer"], kind="deadline_reminder").get().title == (
        f"【即将到期】确认到期评估：{evaluation.document.title}"
    )
    deadline_sweep(at(CONFIRM_DUE + timedelta(days=1)), sources=source)
    assert notices(office["leader"], kind="deadline_overdue").count() == 1


# --- The department's proposal ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"proposal": "extend"}, "proposal_required"),
        ({"proposal": "keep"}, "new_valid_until_required"),
        ({"proposal": "keep", "new_valid_until": VALID_UNTIL}, "new_valid_until_too_early"),
        (
            {"proposal": "keep", "new_valid_until": KEPT_UNTIL + timedelta(days=1)},
            "validity_too_long",
        ),
        ({"proposal": "revise"}, "reason_required"),
        ({"proposal": "repeal", "reason": "   "}, "reason_required"),
    ],
)
def test_each_proposal_rule_refuses_with_its_message(office, kwargs, code):
    evaluation = opened(office)
    with pytest.raises(InvalidInput) as exc:
        evaluation_propose(actor=office["clerk"], evaluation=evaluation, **kwargs)
    assert exc.value.code == code
    evaluation.refresh_from_db()
    assert evaluation.proposal == "" and evaluation.proposed_by is None
    assert not Event.objects.filter(verb="normative.evaluation.propose").exists()


def test_the_ceiling_counts_from_the_end_of_the_current_period(office):
    evaluation = opened(office)
    with pytest.raises(InvalidInput) as exc:
        evaluation_propose(
            actor=office["clerk"],
            evaluation=evaluation,
            proposal="keep",
            new_valid_until=KEPT_UNTIL + timedelta(days=1),
        )
    assert (
        str(exc.value.message)
        == "新的有效期超过该类文件的上限（现行有效期届满后5年），须写明理由。"
    )
    done = evaluation_propose(
        actor=office["clerk"],
        evaluation=evaluation,
        proposal="keep",
        new_valid_until=KEPT_UNTIL,
    )
    assert (done.proposal, done.new_valid_until, done.proposed_by) == (
        "keep",
        KEPT_UNTIL,
        office["clerk"],
    )


def test_a_longer_period_is_accepted_with_a_reason(office):
    evaluation = opened(office)
    done = evaluation_propose(
        actor=office["clerk"],
        evaluation=evaluation,
        proposal="keep",
        new_valid_until=date(Y + 7, 6, 30),
        reason="上位法未变，长期适用",
    )
    assert done.new_valid_until == date(Y + 7, 6, 30)
    event = Event.objects.get(verb="normative.evaluation.propose")
    assert event.data == {
        "document": evaluation.document_id,
        "proposal": "keep",
        "reason": "上位法未变，长期适用",
        "new_valid_until": f"{Y + 7}-06-30",
    }
    assert event.target_id == str(evaluation.pk)


def test_only_the_drafting_department_or_the_legal_office_proposes(office):
    evaluation = opened(office)
    other_clerk = user_with_role(
        Role.CLERK, agency=office["agency"], department=DepartmentFactory(agency=office["agency"])
    )
    for person in (office["leader"], other_clerk, user_with_role(Role.CLERK)):
        with pytest.raises(NotAllowed):
            evaluation_propose(
                actor=person, evaluation=evaluation, proposal="expire", reason="不再需要"
            )
    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="expire", reason="不再需要"
    )
    with pytest.raises(Conflict) as exc:
        evaluation_propose(
            actor=office["clerk"], evaluation=evaluation, proposal="repeal", reason="改主意"
        )
    assert exc.value.code == "already_proposed"
    assert notices(office["officer"], kind="normative_evaluation").count() == 1


# --- The legal office's confirmation ---------------------------------------------------------


def test_keep_extends_the_document(office):
    evaluation = opened(office)
    evaluation_propose(
        actor=office["clerk"],
        evaluation=evaluation,
        proposal="keep",
        new_valid_until=KEPT_UNTIL,
    )
    with pytest.raises(NotAllowed):
        evaluation_confirm(actor=office["clerk"], evaluation=evaluation)
    outcome = evaluation_confirm(actor=office["officer"], evaluation=evaluation)
    assert outcome.draft is None
    document = NormativeDocument.objects.get(pk=evaluation.document_id)
    assert document.valid_until == KEPT_UNTIL
    assert badge(document, VALID_UNTIL + timedelta(days=1), months=6) == Badge.IN_FORCE
    extend = Event.objects.get(verb="normative.document.extend")
    assert extend.data["from"] == f"{Y}-06-30" and extend.data["to"] == f"{Y + 5}-06-30"
    confirm = Event.objects.get(verb="normative.evaluation.confirm")
    assert confirm.actor == office["officer"] and confirm.data["proposal"] == "keep"


def test_repeal_ends_the_document_on_the_chosen_day(office):
    today = timezone.localdate()
    evaluation = opened(office)
    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="repeal", reason="上位法已废止"
    )
    for ended_on, code in (
        (today - timedelta(days=1), "ended_on_past"),
        (VALID_UNTIL + timedelta(days=1), "ended_on_after_expiry"),
    ):
        with pytest.raises(InvalidInput) as exc:
            evaluation_confirm(actor=office["officer"], evaluation=evaluation, ended_on=ended_on)
        assert exc.value.code == code
    assert ExpiryEvaluation.objects.get(pk=evaluation.pk).confirmed_at is None

    evaluation_confirm(actor=office["officer"], evaluation=evaluation)
    document = NormativeDocument.objects.get(pk=evaluation.document_id)
    assert (document.ended_on, document.ended_as, document.ended_basis) == (
        today,
        "repealed",
        "到期评估",
    )
    assert badge(document, today - timedelta(days=1), months=6) != Badge.REPEALED
    assert badge(document, today, months=6) == Badge.REPEALED
    assert Event.objects.filter(verb="normative.document.end", target_id=str(document.pk)).count()


def test_expire_is_recorded_and_the_document_lapses_at_its_date(office):
    evaluation = opened(office)
    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="expire", reason="阶段性工作已完成"
    )
    evaluation_confirm(actor=office["officer"], evaluation=evaluation)
    document = NormativeDocument.objects.get(pk=evaluation.document_id)
    assert (document.valid_until, document.ended_on) == (VALID_UNTIL, None)
    assert badge(document, VALID_UNTIL, months=6) == Badge.EXPIRING
    assert badge(document, VALID_UNTIL + timedelta(days=1), months=6) == Badge.EXPIRED
    assert ExpiryEvaluation.objects.get(pk=evaluation.pk).confirmed_by == office["officer"]


def test_revise_creates_a_linked_draft_that_revises_the_document_once_issued(office):
    evaluation = opened(office, topic="社会救助")
    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="revise", reason="救助标准已调整"
    )
    draft = evaluation_confirm(actor=office["officer"], evaluation=evaluation).draft
    original = evaluation.document
    assert (draft.state, draft.department, draft.title, draft.kind, draft.topic) == (
        "drafting",
        original.department,
        original.title,
        original.kind,
        "社会救助",
    )
    assert [v.number for v in draft.versions.all()] == [1]
    assert draft.versions.get().text == original.versions.get().text
    link = DocumentLink.objects.get()
    assert (link.source, link.target, link.kind) == (draft, original, "revises")
    # Once the new draft is published, the old document shows 已修订.
    today = timezone.localdate()
    as_issued(draft, today, valid_until=KEPT_UNTIL)
    assert badge(original, today, superseding=superseding_dates(original)) == Badge.REVISED


def test_return_sends_the_proposal_back_with_the_reason(office):
    evaluation = opened(office)
    with pytest.raises(Conflict) as exc:
        evaluation_return(actor=office["officer"], evaluation=evaluation, reason="请补充")
    assert exc.value.code == "proposal_missing"
    with pytest.raises(Conflict) as exc:
        evaluation_confirm(actor=office["officer"], evaluation=evaluation)
    assert exc.value.code == "proposal_missing"
    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="expire", reason="不再需要"
    )
    with pytest.raises(InvalidInput):
        evaluation_return(actor=office["officer"], evaluation=evaluation, reason=" ")
    with pytest.raises(NotAllowed):
        evaluation_return(actor=office["clerk"], evaluation=evaluation, reason="撤回")
    evaluation_return(actor=office["officer"], evaluation=evaluation, reason="请说明替代措施")
    returned = ExpiryEvaluation.objects.get(pk=evaluation.pk)
    assert (returned.proposal, returned.proposed_by, returned.confirmed_at) == ("", None, None)
    event = Event.objects.get(verb="normative.evaluation.return")
    assert event.data["returned"] == "expire" and event.data["reason"] == "请说明替代措施"
    assert notices(office["clerk"], title__startswith="到期评估被退回").count() == 1
    evaluation_propose(
        actor=office["clerk"], evaluation=returned, proposal="repeal", reason="已有替代措施"
    )
    evaluation_confirm(actor=office["officer"], evaluation=returned)
    with pytest.raises(Conflict) as exc:
        evaluation_confirm(actor=office["officer"], evaluation=returned)
    assert exc.value.code == "evaluation_closed"


def test_an_evaluation_of_an_ended_document_is_closed(office):
    evaluation = opened(office)
    NormativeDocument.objects.filter(pk=evaluation.document_id).update(
        ended_on=timezone.localdate(), ended_as="repealed"
    )
    with pytest.raises(Conflict) as exc:
        evaluation_propose(
            actor=office["clerk"], evaluation=evaluation, proposal="expire", reason="x"
        )
    assert exc.value.code == "document_ended"


# --- 待办 ------------------------------------------------------------------------------------


def test_tasks_wait_on_the_department_then_on_the_legal_office(office):
    from fazhi.workspace.tasks import tasks_for

    evaluation = opened(office)
    title = evaluation.document.title

    def titles(user):
        return [str(task.title) for task in tasks_for(user)]

    assert f"到期评估：{title}" in titles(office["clerk"])
    assert f"确认到期评估：{title}" not in titles(office["officer"])
    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="expire", reason="不再需要"
    )
    assert f"到期评估：{title}" not in titles(office["clerk"])
    assert f"确认到期评估：{title}" in titles(office["officer"])
    task = next(t for t in tasks_for(office["officer"]) if str(t.title).endswith(title))
    assert (task.due_on, task.url) == (CONFIRM_DUE, f"/staff/rules/evaluations/{evaluation.pk}/")


# --- The badge with an end recorded ----------------------------------------------------------


def _document(valid_until: date, ended_on: date | None, ended_as: str = "repealed"):
    return NormativeDocument(
        state="issued",
        published_on=date(2020, 1, 1),
        effective_on=date(2020, 1, 1),
        valid_until=valid_until,
        ended_on=ended_on,
        ended_as=ended_as if ended_on else "",
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 3, 31), Badge.IN_FORCE),  # the day before the repeal takes effect
        (date(2027, 4, 1), Badge.REPEALED),
        (date(2031, 7, 1), Badge.REPEALED),  # stays repealed after its old expiry
    ],
)
def test_badge_around_the_recorded_end(today, expected):
    document = _document(date(2031, 6, 30), date(2027, 4, 1))
    assert badge(document, today, months=6) == expected


def test_declared_invalid_reads_as_expired():
    document = _document(date(2031, 6, 30), date(2027, 4, 1), ended_as="expired")
    assert badge(document, date(2027, 4, 1), months=6) == Badge.EXPIRED


@given(
    valid_until=st.dates(min_value=date(2021, 1, 1), max_value=date(2040, 12, 31)),
    ended_on=st.none() | st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2041, 12, 31)),
    ended_as=st.sampled_from(["repealed", "expired"]),
)
def test_a_recorded_end_decides_the_badge_from_its_day_and_never_before(
    valid_until, ended_on, today, ended_as
):
    with_end = badge(_document(valid_until, ended_on, ended_as), today, months=6)
    without_end = badge(_document(valid_until, None), today, months=6)
    if ended_on is not None and ended_on <= today:
        assert with_end == (Badge.REPEALED if ended_as == "repealed" else Badge.EXPIRED)
    else:
        assert with_end == without_end
    # The evaluation start and expiry alone: in force, then expiring, then expired.
    if today > valid_until:
        assert without_end == Badge.EXPIRED
    elif without_end == Badge.IN_FORCE:
        assert today < valid_until
