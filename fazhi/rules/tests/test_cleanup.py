"""Cleanup campaigns (清理): the legal office selects the documents in force, each department
proposes with a reason, the office confirms, and publishing applies the results."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fazhi.core import workflow
from fazhi.core.calendar import add_workdays
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.deadlines import DeadlineSource, deadline_sweep
from fazhi.core.notify.models import Notification
from fazhi.core.roles import Role
from fazhi.rules import services
from fazhi.rules.models import CleanupItem, CleanupReview, DocumentLink, NormativeDocument
from fazhi.rules.services.cleanup import (
    campaign_open,
    campaign_publish,
    cleanup_confirm,
    cleanup_propose,
    open_cleanup_proposals,
)
from fazhi.rules.status import Badge, badge, superseding_dates
from fazhi.rules.tests.test_evaluation import at, issued_document
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role

FAR = date(2031, 6, 30)


@pytest.fixture
def bureau(office):
    """The office, plus a second section with its own clerk and head."""
    other = DepartmentFactory(agency=office["agency"], name="社会事务科")
    return {
        **office,
        "other": other,
        "other_clerk": user_with_role(Role.CLERK, agency=office["agency"], department=other),
        "head": user_with_role(
            Role.DEPARTMENT_HEAD, agency=office["agency"], department=office["section"]
        ),
    }


def open_all(office, **kwargs):
    values = {"title": "2026年度规范性文件清理", "basis": "依据……", "scope": "all"}
    values.update(kwargs)
    return campaign_open(actor=office["officer"], agency=office["agency"], **values)


def item_of(campaign, document) -> CleanupItem:
    return CleanupItem.objects.get(campaign=campaign, document=document)


# --- Opening ---------------------------------------------------------------------------------


def test_a_campaign_takes_in_exactly_the_documents_in_force_today(bureau):
    today = timezone.localdate()
    in_force = issued_document(bureau, title="现行有效")
    expiring = issued_document(bureau, title="即将到期", valid_until=today + timedelta(days=30))
    issued_document(bureau, title="已过期", valid_until=today - timedelta(days=1))
    ended = issued_document(bureau, title="已废止")
    NormativeDocument.objects.filter(pk=ended.pk).update(ended_on=today, ended_as="repealed")
    replaced = issued_document(bureau, title="已被修订")
    newer = issued_document(bureau, title="新文件", department=bureau["other"])
    DocumentLink.objects.create(
        source=newer, target=replaced, kind="revises", created_by=bureau["officer"]
    )
    services.document_create(
        actor=bureau["clerk"],
        agency=bureau["agency"],
        department=bureau["section"],
        title="草案",
        text="第一条",
    )
    elsewhere = AgencyFactory()
    issued_document(
        bureau,
        agency=elsewhere,
        department=DepartmentFactory(agency=elsewhere),
        actor=user_with_role(Role.LEGAL_OFFICER, agency=elsewhere),
        title="他机关文件",
    )

    campaign = open_all(bureau)

    assert set(campaign.items.values_list("document__title", flat=True)) == {
        in_force.title,
        expiring.title,
        newer.title,
    }
    assert (campaign.state, campaign.opened_on, campaign.proposals_due_on) == (
        "open",
        today,
        add_workdays(today, 20),
    )
    event = Event.objects.get(verb="normative.cleanupreview.open")
    assert event.data["documents"] == 3 and event.target_id == str(campaign.pk)
    # Each department hears of its own documents once.
    for person, count in ((bureau["clerk"], 2), (bureau["head"], 2), (bureau["other_clerk"], 1)):
        notice = Notification.objects.get(recipient=person, kind="normative_cleanup")
        assert f"的{count}件文件提出清理意见" in notice.body
    assert not Notification.objects.filter(recipient=bureau["officer"]).exists()


def test_scope_by_department_and_by_topic(bureau):
    social = issued_document(bureau, title="救助", topic="社会救助")
    affairs = issued_document(bureau, title="事务", department=bureau["other"], topic="殡葬")
    by_department = open_all(bureau, scope="department", scope_department=bureau["other"])
    assert [i.document for i in by_department.items.all()] == [affairs]
    by_topic = open_all(bureau, scope="topic", scope_topic="社会救助")
    assert [i.document for i in by_topic.items.all()] == [social]
    assert (by_department.scope_topic, by_topic.scope_department) == ("", None)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"title": " "}, "title_required"),
        ({"scope": "everything"}, "scope_required"),
        ({"scope": "department"}, "department_required"),
        ({"scope": "topic", "scope_topic": ""}, "topic_required"),
        ({"scope": "topic", "scope_topic": "无此主题"}, "empty_selection"),
    ],
)
def test_each_opening_rule_refuses_with_its_message(bureau, kwargs, code):
    issued_document(bureau)
    with pytest.raises(InvalidInput) as exc:
        open_all(bureau, **kwargs)
    assert exc.value.code == code
    assert not CleanupReview.objects.exists() and not CleanupItem.objects.exists()


def test_a_department_of_another_agency_and_other_roles_are_refused(bureau):
    issued_document(bureau)
    with pytest.raises(InvalidInput) as exc:
        open_all(bureau, scope="department", scope_department=DepartmentFactory())
    assert exc.value.code == "department_agency"
    for person in (bureau["clerk"], bureau["leader"], user_with_role(Role.LEGAL_OFFICER)):
        with pytest.raises(NotAllowed):
            campaign_open(actor=person, agency=bureau["agency"], title="清理", scope="all")
    assert not CleanupReview.objects.exists()


def test_a_document_is_in_one_open_campaign_at_a_time(bureau):
    issued_document(bureau)
    open_all(bureau)
    with pytest.raises(InvalidInput) as exc:
        open_all(bureau, title="第二次清理")
    assert exc.value.code == "empty_selection"
    assert "已在进行中的清理中的文件不重复列入" in str(exc.value.message)


# --- Proposals and confirmation --------------------------------------------------------------


def test_the_department_proposes_with_a_reason(bureau):
    document = issued_document(bureau)
    item = item_of(open_all(bureau), document)
    with pytest.raises(InvalidInput) as exc:
        cleanup_propose(actor=bureau["clerk"], item=item, proposal="repeal", reason="")
    assert exc.value.code == "reason_required"
    with pytest.raises(InvalidInput) as exc:
        cleanup_propose(actor=bureau["clerk"], item=item, proposal="later", reason="x")
    assert exc.value.code == "proposal_required"
    for person in (bureau["other_clerk"], bureau["leader"]):
        with pytest.raises(NotAllowed):
            cleanup_propose(actor=person, item=item, proposal="keep", reason="继续适用")
    cleanup_propose(actor=bureau["clerk"], item=item, proposal="keep", reason="继续适用")
    # The department may change its mind until the office confirms.
    done = cleanup_propose(
        actor=bureau["head"], item=item, proposal="repeal", reason="上位法已废止"
    )
    assert (done.proposal, done.proposal_reason, done.proposed_by) == (
        "repeal",
        "上位法已废止",
        bureau["head"],
    )
    assert Event.objects.filter(verb="normative.cleanupreview.propose").count() == 2


def test_the_office_confirms_and_notes_a_departure_from_the_proposal(bureau):
    document = issued_document(bureau)
    item = item_of(open_all(bureau), document)
    with pytest.raises(InvalidInput) as exc:
        cleanup_confirm(actor=bureau["officer"], item=item, result="keep")
    assert exc.value.code == "note_required"  # no proposal yet
    cleanup_propose(actor=bureau["clerk"], item=item, proposal="keep", reason="继续适用")
    with pytest.raises(NotAllowed):
        cleanup_confirm(actor=bureau["clerk"], item=item, result="keep")
    with pytest.raises(InvalidInput) as exc:
        cleanup_confirm(actor=bureau["officer"], item=item, result="repeal")
    assert exc.value.code == "note_required"
    with pytest.raises(InvalidInput) as exc:
        cleanup_confirm(actor=bureau["officer"], item=item, result="abolish")
    assert exc.value.code == "result_required"
    cleanup_confirm(actor=bureau["officer"], item=item, result="keep")
    done = cleanup_confirm(
        actor=bureau["officer"], item=item, result="revise", note="部分条款与新规定不一致"
    )
    assert (done.result, done.result_note, done.confirmed_by) == (
        "revise",
        "部分条款与新规定不一致",
        bureau["officer"],
    )
    with pytest.raises(Conflict) as exc:
        cleanup_propose(actor=bureau["clerk"], item=item, proposal="repeal", reason="x")
    assert exc.value.code == "item_confirmed"
    events = Event.objects.filter(verb="normative.cleanupreview.confirm").order_by("seq")
    assert [e.data["result"] for e in events] == ["keep", "revise"]


# --- Publishing ------------------------------------------------------------------------------


def test_publishing_waits_for_every_result_then_applies_them(bureau):
    today = timezone.localdate()
    keep = issued_document(bureau, title="保留的")
    revise = issued_document(bureau, title="修改的")
    repeal = issued_document(bureau, title="废止的")
    expire = issued_document(bureau, title="失效的", department=bureau["other"])
    campaign = open_all(bureau)
    for document, result in ((keep, "keep"), (revise, "revise"), (repeal, "repeal")):
        item = item_of(campaign, document)
        cleanup_propose(actor=bureau["clerk"], item=item, proposal=result, reason="理由")
        cleanup_confirm(actor=bureau["officer"], item=item, result=result)

    with pytest.raises(Conflict) as exc:
        campaign_publish(actor=bureau["officer"], campaign=campaign)
    assert exc.value.code == "cleanup_unconfirmed"
    assert CleanupReview.objects.get(pk=campaign.pk).state == "open"
    assert not NormativeDocument.objects.filter(ended_on__isnull=False).exists()

    cleanup_confirm(
        actor=bureau["officer"],
        item=item_of(campaign, expire),
        result="expire",
        note="调整对象已不存在",
    )
    with pytest.raises(NotAllowed):
        campaign_publish(actor=bureau["clerk"], campaign=campaign)
    done = campaign_publish(actor=bureau["officer"], campaign=campaign, result_note="共清理4件")

    assert (done.state, done.published_on, done.result_note) == ("published", today, "共清理4件")
    ended = {
        d.title: (d.ended_on, d.ended_as, d.ended_basis)
        for d in NormativeDocument.objects.filter(ended_on__isnull=False)
    }
    assert ended == {
        "废止的": (today, "repealed", "2026年度规范性文件清理"),
        "失效的": (today, "expired", "2026年度规范性文件清理"),
    }
    for document, expected in (
        (keep, Badge.IN_FORCE),
        (revise, Badge.IN_FORCE),
        (repeal, Badge.REPEALED),
        (expire, Badge.EXPIRED),
    ):
        fresh = NormativeDocument.objects.get(pk=document.pk)
        assert badge(fresh, today, superseding=superseding_dates(fresh)) == expected
    publish = Event.objects.get(verb="normative.cleanupreview.publish")
    assert (publish.from_state, publish.to_state, publish.actor) == (
        "open",
        "published",
        bureau["officer"],
    )
    assert Event.objects.filter(verb="normative.document.end").count() == 2

    with pytest.raises(Conflict) as exc:
        campaign_publish(actor=bureau["officer"], campaign=done)
    assert exc.value.code == "state_changed"
    with pytest.raises(Conflict) as exc:
        cleanup_confirm(
            actor=bureau["officer"], item=item_of(done, keep), result="repeal", note="x"
        )
    assert exc.value.code == "campaign_published"


def test_a_document_ended_meanwhile_keeps_its_own_record(bureau):
    document = issued_document(bureau)
    campaign = open_all(bureau)
    item = item_of(campaign, document)
    cleanup_confirm(actor=bureau["officer"], item=item, result="expire", note="已过时")
    earlier = timezone.localdate()
    NormativeDocument.objects.filter(pk=document.pk).update(
        ended_on=earlier, ended_as="repealed", ended_basis="到期评估"
    )
    campaign_publish(actor=bureau["officer"], campaign=campaign)
    fresh = NormativeDocument.objects.get(pk=document.pk)
    assert (fresh.ended_as, fresh.ended_basis) == ("repealed", "到期评估")


def test_publishing_by_the_bare_transition_needs_the_guard_too(bureau):
    issued_document(bureau)
    campaign = open_all(bureau)
    with pytest.raises(Conflict) as exc:
        workflow.perform(campaign, "publish", actor=bureau["officer"])
    assert exc.value.code == "cleanup_unconfirmed"


# --- The clock and 待办 ----------------------------------------------------------------------


def test_departments_are_reminded_and_late_proposals_escalated_once(bureau):
    document = issued_document(bureau)
    issued_document(bureau, title="另一件", department=bureau["other"])
    campaign = open_all(bureau)
    cleanup_propose(
        actor=bureau["other_clerk"],
        item=CleanupItem.objects.exclude(document=document).get(),
        proposal="keep",
        reason="继续适用",
    )
    source = [DeadlineSource("normative.cleanup", open_cleanup_proposals)]
    due = campaign.proposals_due_on
    assert deadline_sweep(at(due), sources=source) == 2  # clerk and head of 社会救助科
    assert deadline_sweep(at(due), sources=source) == 0
    reminder = Notification.objects.get(recipient=bureau["clerk"], kind="deadline_reminder")
    assert reminder.title == f"【即将到期】提出清理意见：{campaign.title}（1件）"
    assert reminder.url == f"/staff/rules/cleanups/{campaign.pk}/"
    assert not Notification.objects.filter(
        recipient=bureau["other_clerk"], kind="deadline_reminder"
    )

    deadline_sweep(at(due + timedelta(days=1)), sources=source)
    deadline_sweep(at(due + timedelta(days=2)), sources=source)
    overdue = Notification.objects.filter(kind="deadline_overdue")
    assert sorted(n.recipient.username for n in overdue) == sorted(
        [bureau["head"].username, bureau["officer"].username]
    )


def test_tasks_for_the_departments_and_the_legal_office(bureau):
    from fazhi.workspace.tasks import tasks_for

    document = issued_document(bureau)
    campaign = open_all(bureau)
    item = item_of(campaign, document)

    def titles(user):
        return [str(task.title) for task in tasks_for(user)]

    assert titles(bureau["clerk"]).count(f"清理意见：{campaign.title}（1件待提出意见）") == 1
    assert not any(campaign.title in t for t in titles(bureau["other_clerk"]))
    assert not any(campaign.title in t for t in titles(bureau["officer"]))
    cleanup_propose(actor=bureau["clerk"], item=item, proposal="keep", reason="继续适用")
    assert not any(campaign.title in t for t in titles(bureau["clerk"]))
    assert f"确认清理结果：{campaign.title}（1件部门已提出意见）" in titles(bureau["officer"])
    cleanup_confirm(actor=bureau["officer"], item=item, result="keep")
    assert f"公布清理结果：{campaign.title}" in titles(bureau["officer"])
    campaign_publish(actor=bureau["officer"], campaign=campaign)
    assert not any(campaign.title in t for t in titles(bureau["officer"]))
