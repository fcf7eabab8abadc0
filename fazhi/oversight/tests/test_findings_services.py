"""The findings loop through its services: opening by hand, the rectification steps, the
deadline by hand, accountability, and the refusals that must change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fazhi.core.calendar import add_workdays, is_workday
from fazhi.core.calendar import services as calendar_services
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.models import Notification
from fazhi.core.roles import Role
from fazhi.oversight.models import AccountabilityRecord, Finding, Rectification, Source
from fazhi.oversight.services import findings as services
from fazhi.oversight.tests.test_findings_setup import (  # noqa: F401 - fixtures
    bureau_fixture,
    docx_upload,
    opened,
    png,
    rectification_of,
    schedule_fixture,
    submitted,
)
from fazhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db
State = Rectification.State


def fresh(rect):
    return Rectification.objects.get(pk=rect.pk)


def test_the_legal_office_opens_a_finding_with_evidence(bureau):
    # When the legal office records a complaint with a photo on 1 September 2026
    finding = opened(bureau, evidence=[png()])
    rect = rectification_of(finding)
    # Then the finding, its evidence and a rectification due in 10 working days exist
    assert finding.source == Source.COMPLAINT
    assert [f.original_name for f in finding.evidence.all()] == ["现场照片.png"]
    assert rect.state == State.AWAITING_MEASURES
    assert rect.due_on == add_workdays(date(2026, 9, 1), 10) == date(2026, 9, 15)
    assert Event.objects.filter(verb="oversight.finding.open", target_id=str(finding.pk)).exists()
    # And the department head is told
    assert Notification.objects.filter(recipient=bureau["head"], kind="oversight_finding").exists()


def test_only_the_legal_office_opens_by_hand_and_only_manual_sources(bureau):
    with pytest.raises(NotAllowed):
        opened(bureau, actor=bureau["head"])
    with pytest.raises(NotAllowed):
        opened(bureau, actor=bureau["overseer"])
    with pytest.raises(NotAllowed):
        opened(bureau, actor=bureau["stranger"])
    with pytest.raises(InvalidInput) as refused:
        opened(bureau, source=Source.SPOT_CHECK)
    assert refused.value.code == "source_not_manual"
    assert not Finding.objects.exists()


def test_a_bad_evidence_file_saves_nothing(bureau):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fazhi.core.files.models import StoredFile

    with pytest.raises(InvalidInput) as refused:
        opened(bureau, evidence=[png(), SimpleUploadedFile("run.exe", b"MZ\x90\x00" * 50)])
    assert refused.value.code in {"file_type_unknown", "file_type_not_allowed"}
    assert not Finding.objects.exists()
    assert not StoredFile.objects.exists()


def test_the_loop_from_measures_to_closing(bureau):
    finding = opened(bureau)
    rect = rectification_of(finding)
    # When the department head proposes measures, uploads evidence and submits
    rect = services.rectification_propose_measures(
        actor=bureau["head"], rectification=rect, measures="逐件复核。"
    )
    assert rect.state == State.RECTIFYING
    services.rectification_attach_evidence(
        actor=bureau["clerk"], rectification=rect, upload=docx_upload()
    )
    rect = services.rectification_submit_evidence(
        actor=bureau["head"], rectification=rect, completion_note="已办结。"
    )
    assert rect.state == State.SUBMITTED
    # And the legal office sends it back with a reason, then it is submitted again and closed
    rect = services.rectification_send_back(
        actor=bureau["officer"], rectification=rect, reason="佐证材料缺少审批表。"
    )
    assert (rect.state, rect.rejection_count) == (State.RECTIFYING, 1)
    assert Notification.objects.filter(recipient=bureau["clerk"], body="佐证材料缺少审批表。")
    rect = services.rectification_submit_evidence(
        actor=bureau["head"], rectification=rect, completion_note="已补充审批表。", files=[png()]
    )
    rect = services.rectification_verify(actor=bureau["officer"], rectification=rect)
    rect = fresh(rect)
    assert rect.state == State.CLOSED
    assert rect.closed_on == timezone.localdate()
    assert rect.closed_by == bureau["officer"]
    assert rect.completion_files.count() == 2
    verbs = list(
        Event.objects.filter(target_type="oversight.rectification", target_id=str(rect.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "oversight.rectification.propose_measures",
        "oversight.rectification.attach",
        "oversight.rectification.submit_evidence",
        "oversight.rectification.send_back",
        "oversight.rectification.submit_evidence",
        "oversight.rectification.verify",
    ]


def test_submitting_without_evidence_or_closing_without_it_is_refused(bureau):
    rect = rectification_of(opened(bureau))
    services.rectification_propose_measures(
        actor=bureau["head"], rectification=rect, measures="复核。"
    )
    with pytest.raises(Conflict) as refused:
        services.rectification_submit_evidence(
            actor=bureau["head"], rectification=rect, completion_note="已办结。"
        )
    assert refused.value.code == "evidence_required"
    assert fresh(rect).state == State.RECTIFYING
    assert fresh(rect).completion_note == ""
    # A record that reached 待核验 without files (an import gone wrong) cannot be closed
    Rectification.objects.filter(pk=rect.pk).update(state=State.SUBMITTED, completion_note="x")
    with pytest.raises(Conflict) as refused:
        services.rectification_verify(actor=bureau["officer"], rectification=rect)
    assert refused.value.code == "evidence_required"
    assert fresh(rect).state == State.SUBMITTED
    assert fresh(rect).closed_on is None


def test_empty_measures_and_a_missing_reason_are_refused(bureau):
    rect = rectification_of(opened(bureau))
    with pytest.raises(InvalidInput) as refused:
        services.rectification_propose_measures(
            actor=bureau["head"], rectification=rect, measures="   "
        )
    assert refused.value.code == "measures_required"
    submitted(bureau, rect.finding)
    with pytest.raises(InvalidInput) as refused:
        services.rectification_send_back(actor=bureau["officer"], rectification=rect, reason="")
    assert refused.value.code == "comment_required"
    assert fresh(rect).state == State.SUBMITTED


def test_who_may_act_on_a_rectification(bureau):
    rect = rectification_of(opened(bureau))
    # Another department's head may not propose measures (403), nor may a leader or overseer
    for actor in (bureau["other_head"], bureau["leader"], bureau["overseer"], bureau["officer"]):
        with pytest.raises(NotAllowed):
            services.rectification_propose_measures(
                actor=actor, rectification=rect, measures="复核。"
            )
    assert fresh(rect).measures == ""
    submitted(bureau, rect.finding)
    # The unit may not close its own rectification; another agency's legal office neither
    for actor in (bureau["head"], bureau["stranger"], bureau["leader"]):
        with pytest.raises(NotAllowed):
            services.rectification_verify(actor=actor, rectification=rect)
    assert fresh(rect).state == State.SUBMITTED


def test_a_step_in_the_wrong_state_is_a_conflict(bureau):
    rect = rectification_of(opened(bureau))
    with pytest.raises(Conflict) as refused:
        services.rectification_verify(actor=bureau["officer"], rectification=rect)
    assert refused.value.code == "state_changed"


def test_the_deadline_by_hand_only_on_a_future_working_day(bureau):
    rect = rectification_of(opened(bureau))
    sysadmin = user_with_role(Role.SYSADMIN, agency=bureau["agency"])
    holiday = date(2026, 12, 31)
    calendar_services.calendar_day_set(
        actor=sysadmin, day=holiday, is_workday=False, name="调休", reason="区政府通知"
    )
    assert not is_workday(holiday)
    with pytest.raises(InvalidInput) as refused:
        services.rectification_set_due(
            actor=bureau["officer"], rectification=rect, due_on=holiday, reason="案情复杂"
        )
    assert refused.value.code == "due_not_workday"
    assert "2026年12月31日 不是工作日" in str(refused.value.message)
    with pytest.raises(InvalidInput) as refused:
        services.rectification_set_due(
            actor=bureau["officer"],
            rectification=rect,
            due_on=timezone.localdate() - timedelta(days=1),
            reason="案情复杂",
        )
    assert refused.value.code == "due_in_past"
    with pytest.raises(NotAllowed):
        services.rectification_set_due(
            actor=bureau["head"], rectification=rect, due_on=date(2026, 12, 30), reason="延期"
        )
    assert fresh(rect).due_on == date(2026, 9, 15)
    # A working day with a reason is taken, and it is on the record
    services.rectification_set_due(
        actor=bureau["officer"], rectification=rect, due_on=date(2026, 12, 30), reason="案情复杂"
    )
    assert fresh(rect).due_on == date(2026, 12, 30)
    event = Event.objects.get(verb="oversight.rectification.set_due")
    assert event.data == {"from": "2026-09-15", "to": "2026-12-30", "comment": "案情复杂"}


def test_accountability_is_recorded_by_the_legal_office(bureau):
    finding = opened(bureau)
    with pytest.raises(NotAllowed):
        services.accountability_record(
            actor=bureau["leader"],
            finding=finding,
            person_name="李某",
            measure="criticism",
            decided_on=date(2026, 10, 20),
            decided_by="区民政局党组",
        )
    with pytest.raises(InvalidInput) as refused:
        services.accountability_record(
            actor=bureau["officer"],
            finding=finding,
            person_name="李某",
            measure="criticism",
            decided_on=timezone.localdate() + timedelta(days=1),
            decided_by="区民政局党组",
        )
    assert refused.value.code == "date_in_future"
    record = services.accountability_record(
        actor=bureau["officer"],
        finding=finding,
        person_name="李某",
        position="社会救助科科员",
        measure="admonition",
        decided_on=date(2026, 10, 20),
        decided_by="区民政局党组",
    )
    assert list(AccountabilityRecord.objects.values_list("person_name", "measure")) == [
        ("李某", "admonition")
    ]
    assert record.recorded_by == bureau["officer"]


def test_finding_open_stays_idempotent_on_its_source(bureau):
    first = services.finding_open(
        agency=bureau["agency"],
        source=Source.VISIT,
        source_ref="oversight.visit:1",
        title="窗口无人",
        description="工作时间窗口无人值守。",
        department=bureau["section"],
        actor_name="明察暗访",
    )
    again = services.finding_open(
        agency=bureau["agency"],
        source=Source.VISIT,
        source_ref="oversight.visit:1",
        title="窗口无人",
        description="工作时间窗口无人值守。",
        department=bureau["section"],
    )
    assert first.pk == again.pk
    assert Finding.objects.count() == 1
