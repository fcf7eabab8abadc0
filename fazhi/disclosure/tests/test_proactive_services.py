"""Proactive disclosure: a public record from draft through 保密审查 to the catalogue, and every
refusal on the way (wrong role, wrong state, open finding, no release review, other agency)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fazhi.core import workflow
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.files import storage
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.disclosure import scan, selectors, services
from fazhi.disclosure.models import ConfidentialityReview, PublicRecord, ScanFinding
from fazhi.disclosure.tests.conftest import OTHER_RESIDENT_ID, RESIDENT_ID
from fazhi.testing.factories import DepartmentFactory, user_with_role

State = PublicRecord.State
ALL_NO = {
    "state_secret": False,
    "work_secret": False,
    "trade_secret": False,
    "privacy": False,
    "process_info": False,
    "three_safety": False,
}


@pytest.fixture
def bureau(office):
    """The disclosure office fixture with the section's head, who does its 保密审查."""
    section = office["clerk"].memberships.get().department
    return {
        **office,
        "section": section,
        "head": user_with_role(Role.DEPARTMENT_HEAD, agency=office["agency"], department=section),
    }


def draft(bureau, actor=None, **changes):
    values = {
        "actor": actor or bureau["clerk"],
        "agency": bureau["agency"],
        "department": bureau["section"],
        "title": "2026年第三季度最低生活保障资金发放情况",
        "formed_on": date(2026, 9, 25),
        "category": "art20_11",
        "topic": "社会保障",
        "five_disclosures": "result",
        "body": "本季度共发放低保资金 125.6 万元，惠及 1032 户。",
    }
    values.update(changes)
    return services.record_create(**values)


def docx_upload(*lines: str, name: str = "名单.docx") -> SimpleUploadedFile:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "户主"
    table.rows[0].cells[1].text = "金额"
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def attachment_text(stored) -> str:
    with storage.content_open(stored.sha256) as handle:
        return scan.docx_text(handle.read())


def released(bureau, record, **review):
    services.record_submit(actor=bureau["clerk"], record=record)
    for finding in selectors.record_findings(record):
        services.finding_clear(actor=bureau["head"], finding=finding, reason="已取得本人同意")
    return services.record_review(
        actor=bureau["head"],
        record=record,
        checklist=ALL_NO,
        conclusion="release",
        **review,
    )


def review_and_publish(bureau, record):
    """Given a record under review whose findings are all handled: release and publish."""
    services.record_review(
        actor=bureau["head"], record=record, checklist=ALL_NO, conclusion="release"
    )
    return services.record_publish(actor=bureau["officer"], record=record)


def published(bureau, record=None, **changes):
    record = record or draft(bureau, **changes)
    released(bureau, record)
    return services.record_publish(actor=bureau["officer"], record=record)


# --- The Art. 26 limit --------------------------------------------------------------------------


def test_due_twenty_working_days_after_formation_across_national_day(bureau):
    # 9/25 (Fri) + 20 working days: 10/1–10/7 off, Saturday 10/10 worked → 10/29, not 10/23.
    record = draft(bureau, formed_on=date(2026, 9, 25))
    assert record.due_on == date(2026, 10, 29)
    assert record.due_provisional is False
    moved = services.record_update(
        actor=bureau["clerk"], record=record, formed_on=date(2026, 9, 30)
    )
    assert moved.due_on == date(2026, 11, 3)


def test_the_limit_is_the_agency_setting(bureau):
    from fazhi.core import agency_settings

    agency_settings.setting_set(
        actor=bureau["officer"],
        agency=bureau["agency"],
        key="disclosure.proactive_workdays",
        value=5,
    )
    assert draft(bureau, formed_on=date(2026, 9, 25)).due_on == date(2026, 10, 9)


# --- Drafting -----------------------------------------------------------------------------------


def test_create_writes_an_event_and_refuses_bad_input(bureau):
    record = draft(bureau)
    assert record.state == State.DRAFT
    assert Event.objects.filter(verb="disclosure.record.create", target_id=str(record.pk)).exists()
    with pytest.raises(InvalidInput) as exc:
        draft(bureau, title="  ")
    assert exc.value.code == "title_required"
    with pytest.raises(InvalidInput) as exc:
        draft(bureau, category="art20_99")
    assert "公开类别" in str(exc.value.message)
    with pytest.raises(InvalidInput) as exc:
        draft(bureau, formed_on=timezone.localdate().replace(year=timezone.localdate().year + 1))
    assert exc.value.code == "date_in_future"
    assert PublicRecord.objects.count() == 1


def test_who_may_draft(bureau):
    assert draft(bureau, actor=bureau["officer"]).pk  # the legal office, any record
    assert draft(bureau, actor=bureau["head"]).pk
    with pytest.raises(NotAllowed):
        draft(bureau, actor=bureau["leader"])
    other_section = DepartmentFactory(agency=bureau["agency"], name="养老服务科")
    with pytest.raises(NotAllowed):
        draft(bureau, department=other_section)  # the clerk is not of that section
    with pytest.raises(NotAllowed):
        draft(bureau, actor=bureau["other_officer"])  # another agency's legal office
    foreign = DepartmentFactory()
    with pytest.raises(InvalidInput):
        draft(bureau, actor=bureau["officer"], department=foreign)


def test_edit_only_in_draft(bureau):
    record = draft(bureau)
    services.record_update(actor=bureau["clerk"], record=record, title="新标题")
    services.record_submit(actor=bureau["clerk"], record=record)
    with pytest.raises(Conflict) as exc:
        services.record_update(actor=bureau["clerk"], record=record, title="再改")
    assert exc.value.code == "state_changed"
    assert "保密审查中" in str(exc.value.message)
    with pytest.raises(Conflict):
        services.record_attach(actor=bureau["clerk"], record=record, upload=docx_upload("x"))
    with pytest.raises(InvalidInput):
        services.record_update(actor=bureau["clerk"], record=record, state="published")
    assert PublicRecord.objects.get(pk=record.pk).title == "新标题"


def test_attach_and_detach(bureau):
    record = draft(bureau)
    stored = services.record_attach(actor=bureau["clerk"], record=record, upload=docx_upload("a"))
    assert list(record.attachments.all()) == [stored]
    assert stored.purpose == "disclosure-record"
    with pytest.raises(InvalidInput) as exc:
        services.record_attach(
            actor=bureau["clerk"], record=record, upload=SimpleUploadedFile("x.docx", b"MZ\x90")
        )
    assert exc.value.code == "file_type_unknown"
    with pytest.raises(NotAllowed):
        services.record_detach(actor=bureau["leader"], record=record, file_id=stored.pk)
    services.record_detach(actor=bureau["clerk"], record=record, file_id=stored.pk)
    assert not record.attachments.exists()
    with pytest.raises(InvalidInput):
        services.record_detach(actor=bureau["clerk"], record=record, file_id=stored.pk)


def test_nothing_to_publish_cannot_be_submitted(bureau):
    record = draft(bureau, body="")
    with pytest.raises(Conflict) as exc:
        services.record_submit(actor=bureau["clerk"], record=record)
    assert exc.value.code == "content_required"


# --- The Done-when: an ID number in a Word attachment blocks approval until cleared -------------


def test_resident_id_in_docx_blocks_release_until_cleared(bureau):
    record = draft(bureau)
    services.record_attach(
        actor=bureau["clerk"],
        record=record,
        upload=docx_upload("低保对象名单", f"张三  身份证号 {RESIDENT_ID}  发放 820 元"),
    )
    services.record_submit(actor=bureau["clerk"], record=record)
    record.refresh_from_db()
    assert record.state == State.REVIEW

    [finding] = selectors.record_findings(record)
    assert finding.kind == "resident_id" and finding.attachment_id is not None
    assert finding.masked == "110***********002X"
    # Nothing stored about the finding holds the number itself.
    for value in (finding.masked, finding.context):
        assert RESIDENT_ID not in value
    assert "张三" in finding.context

    with pytest.raises(Conflict) as exc:
        services.record_review(
            actor=bureau["head"], record=record, checklist=ALL_NO, conclusion="release"
        )
    assert exc.value.code == "finding_open"
    assert "未处理" in str(exc.value.message)
    assert not ConfidentialityReview.objects.exists()

    with pytest.raises(InvalidInput):
        services.finding_clear(actor=bureau["head"], finding=finding, reason=" ")
    with pytest.raises(NotAllowed):  # a clerk does not review
        services.finding_clear(actor=bureau["clerk"], finding=finding, reason="同意")
    services.finding_clear(actor=bureau["head"], finding=finding, reason="本人书面同意公开")
    finding.refresh_from_db()
    assert finding.resolution == ScanFinding.Resolution.CLEARED and finding.resolved_at

    services.record_review(
        actor=bureau["head"], record=record, checklist=ALL_NO, conclusion="release"
    )
    record.refresh_from_db()
    assert record.state == State.APPROVAL
    done = services.record_publish(actor=bureau["officer"], record=record)
    assert done.state == State.PUBLISHED
    assert done.index_number == f"示民公开-{timezone.localdate().year}-00001"
    assert done.published_on == timezone.localdate()


def test_the_body_and_listed_terms_are_scanned(bureau):
    from fazhi.core import agency_settings

    agency_settings.setting_set(
        actor=bureau["officer"],
        agency=bureau["agency"],
        key="disclosure.scan_terms",
        value="精神病史",
    )
    record = draft(bureau, body=f"联系电话 13812345678；{OTHER_RESIDENT_ID}；有精神病史。")
    services.record_submit(actor=bureau["clerk"], record=record)
    kinds = [f.kind for f in selectors.record_findings(record)]
    assert kinds == ["mobile", "resident_id", "term"]


def test_pdf_attachments_must_be_read_by_the_reviewer(bureau):
    record = draft(bureau)
    services.record_attach(
        actor=bureau["clerk"],
        record=record,
        upload=SimpleUploadedFile("表.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    )
    services.record_submit(actor=bureau["clerk"], record=record)
    [finding] = selectors.record_findings(record)
    assert finding.kind == "unscanned" and finding.masked == "表.pdf"
    with pytest.raises(Conflict) as exc:
        services.finding_redact(actor=bureau["head"], finding=finding)
    assert exc.value.code == "cannot_redact"
    services.finding_clear(actor=bureau["head"], finding=finding, reason="已逐页核对，无个人信息")
    assert (
        services.record_review(
            actor=bureau["head"], record=record, checklist=ALL_NO, conclusion="release"
        ).state
        == State.APPROVAL
    )


# --- Redaction ----------------------------------------------------------------------------------


def test_redacting_the_body(bureau):
    record = draft(bureau, body=f"申请人 {RESIDENT_ID}，电话 13812345678，已核实。")
    services.record_submit(actor=bureau["clerk"], record=record)
    id_finding, phone_finding = selectors.record_findings(record)
    services.finding_redact(actor=bureau["head"], finding=id_finding)
    record.refresh_from_db()
    assert RESIDENT_ID not in record.body and "110***********002X" in record.body
    # The later hit moved with the text and can still be redacted at its place.
    services.finding_redact(actor=bureau["head"], finding=phone_finding)
    record.refresh_from_db()
    assert record.body == "申请人 110***********002X，电话 138****5678，已核实。"
    assert scan.scan_text(record.body) == []
    with pytest.raises(Conflict) as exc:
        services.finding_redact(actor=bureau["head"], finding=id_finding)
    assert exc.value.code == "finding_resolved"
    done = review_and_publish(bureau, record)
    assert scan.scan_text(PublicRecord.objects.get(pk=done.pk).body) == []


def test_redacting_a_docx_attachment_replaces_it_with_a_clean_copy(bureau):
    record = draft(bureau)
    original = services.record_attach(
        actor=bureau["clerk"],
        record=record,
        upload=docx_upload(
            f"张三 {RESIDENT_ID} 820 元", f"李四 {OTHER_RESIDENT_ID}", f"复核：张三 {RESIDENT_ID}"
        ),
    )
    services.record_submit(actor=bureau["clerk"], record=record)
    findings = list(selectors.record_findings(record))
    assert [f.kind for f in findings] == ["resident_id"] * 3
    services.finding_redact(actor=bureau["head"], finding=findings[0])
    [copy] = record.attachments.all()
    assert copy.pk != original.pk
    text = attachment_text(copy)
    assert RESIDENT_ID not in text and OTHER_RESIDENT_ID in text
    # Both occurrences of the number went; the other finding points into the copy.
    states = {f.pk: f for f in selectors.record_findings(record)}
    assert states[findings[2].pk].resolution == "redacted"
    other = states[findings[1].pk]
    assert other.resolution == "open" and other.attachment_id == copy.pk
    assert text[other.start : other.end] == OTHER_RESIDENT_ID
    services.finding_redact(actor=bureau["head"], finding=other)
    [clean] = record.attachments.all()
    assert scan.scan_docx(storage.content_open(clean.sha256).read()).hits == []
    done = review_and_publish(bureau, record)
    assert done.state == State.PUBLISHED
    assert RESIDENT_ID not in attachment_text(done.attachments.get())


# --- Review rounds ------------------------------------------------------------------------------


def test_return_sends_back_and_a_new_round_scans_again(bureau):
    record = draft(bureau, body=f"附：{RESIDENT_ID}")
    services.record_submit(actor=bureau["clerk"], record=record)
    with pytest.raises(InvalidInput) as exc:
        services.record_review(
            actor=bureau["head"], record=record, checklist=ALL_NO, conclusion="return"
        )
    assert exc.value.code == "comment_required"
    with pytest.raises(InvalidInput) as exc:
        services.record_review(
            actor=bureau["head"],
            record=record,
            checklist={"state_secret": False},
            conclusion="return",
            comment="x",
        )
    assert exc.value.code == "checklist_incomplete" and "工作秘密" in str(exc.value.message)
    back = services.record_review(
        actor=bureau["head"],
        record=record,
        checklist=ALL_NO,
        conclusion="return",
        comment="请删除身份证号",
    )
    assert back.state == State.DRAFT
    services.record_update(actor=bureau["clerk"], record=record, body="附：名单另行公示。")
    services.record_submit(actor=bureau["clerk"], record=record)
    record.refresh_from_db()
    assert list(selectors.record_findings(record)) == []
    assert ScanFinding.objects.filter(record=record).count() == 1  # the old round is history
    # The earlier round's return does not count as this round's review.
    with pytest.raises(Conflict):
        workflow.perform(record, "return_from_review", actor=bureau["head"])
    services.record_review(
        actor=bureau["head"], record=record, checklist=ALL_NO, conclusion="release"
    )
    assert [r.conclusion for r in selectors.record_reviews(record)] == ["return", "release"]


def test_withhold_goes_back_to_draft_with_the_reason_kept(bureau):
    record = draft(bureau)
    services.record_submit(actor=bureau["clerk"], record=record)
    checklist = dict(ALL_NO, work_secret=True)
    done = services.record_review(
        actor=bureau["head"],
        record=record,
        checklist=checklist,
        conclusion="withhold",
        comment="涉及内部工作安排",
    )
    assert done.state == State.DRAFT
    review = selectors.record_reviews(record).get()
    assert review.checklist["work_secret"] is True and review.comment == "涉及内部工作安排"


def test_release_with_a_yes_needs_a_reason(bureau):
    record = draft(bureau)
    services.record_submit(actor=bureau["clerk"], record=record)
    with pytest.raises(InvalidInput):
        services.record_review(
            actor=bureau["head"],
            record=record,
            checklist=dict(ALL_NO, privacy=True),
            conclusion="release",
        )
    services.record_review(
        actor=bureau["head"],
        record=record,
        checklist=dict(ALL_NO, privacy=True),
        conclusion="release",
        comment="权利人同意公开",
    )


def test_reviewer_is_the_department_head_or_the_legal_office_without_department(bureau):
    record = draft(bureau)
    services.record_submit(actor=bureau["clerk"], record=record)
    for outsider in (bureau["clerk"], bureau["officer"], bureau["leader"], bureau["other_officer"]):
        with pytest.raises(NotAllowed):
            services.record_review(
                actor=outsider, record=record, checklist=ALL_NO, conclusion="release"
            )
    unassigned = draft(bureau, actor=bureau["officer"], department=None)
    services.record_submit(actor=bureau["officer"], record=unassigned)
    with pytest.raises(NotAllowed):
        services.record_review(
            actor=bureau["head"], record=unassigned, checklist=ALL_NO, conclusion="release"
        )
    services.record_review(
        actor=bureau["officer"], record=unassigned, checklist=ALL_NO, conclusion="release"
    )


# --- Publication --------------------------------------------------------------------------------


def test_publishing_without_review_is_refused(bureau):
    record = draft(bureau)
    with pytest.raises(Conflict) as exc:
        services.record_publish(actor=bureau["officer"], record=record)
    assert "草稿" in str(exc.value.message)
    services.record_submit(actor=bureau["clerk"], record=record)
    with pytest.raises(Conflict) as exc:
        services.record_publish(actor=bureau["officer"], record=record)
    assert "保密审查中" in str(exc.value.message)
    # A bare transition cannot publish either: the guard reads the review and the number.
    with pytest.raises(Conflict):
        workflow.perform(record, "pass_review", actor=bureau["head"])
    services.record_review(
        actor=bureau["head"], record=record, checklist=ALL_NO, conclusion="release"
    )
    with pytest.raises(Conflict) as exc:
        workflow.perform(record, "publish", actor=bureau["officer"])
    assert exc.value.code == "index_required"
    with pytest.raises(NotAllowed):
        services.record_publish(actor=bureau["head"], record=record)
    with pytest.raises(NotAllowed):
        services.record_publish(actor=bureau["other_officer"], record=record)
    with pytest.raises(InvalidInput):
        services.record_publish(
            actor=bureau["officer"], record=record, published_on=date(2026, 9, 1)
        )
    assert PublicRecord.objects.get(pk=record.pk).index_number == ""
    done = services.record_publish(actor=bureau["officer"], record=record)
    assert done.index_number.endswith("-00001")
    second = published(bureau)
    assert second.index_number.endswith("-00002")


def test_withdraw_keeps_the_entry_with_its_public_reason(bureau):
    record = published(bureau)
    with pytest.raises(InvalidInput):
        services.record_withdraw(actor=bureau["officer"], record=record, reason="")
    with pytest.raises(NotAllowed):
        services.record_withdraw(actor=bureau["clerk"], record=record, reason="错误")
    done = services.record_withdraw(
        actor=bureau["officer"], record=record, reason="数据有误，更正后重新发布"
    )
    assert done.state == State.WITHDRAWN and done.withdrawn_on == timezone.localdate()
    entry = selectors.catalogue(bureau["agency"]).get(pk=record.pk)
    assert entry.get_state_display() == "已撤回"
    assert entry.withdrawal_reason == "数据有误，更正后重新发布"
    assert selectors.catalogue_attachment(record.pk, 1) is None


def test_supersede_by_a_later_published_record(bureau):
    old = published(bureau)
    newer = draft(bureau, title="更正后的发放情况")
    with pytest.raises(Conflict):
        services.record_supersede(actor=bureau["officer"], record=old, successor=newer)
    with pytest.raises(InvalidInput):
        services.record_supersede(actor=bureau["officer"], record=old, successor=old)
    published(bureau, newer)
    with pytest.raises(NotAllowed):
        services.record_supersede(actor=bureau["head"], record=old, successor=newer)
    done = services.record_supersede(actor=bureau["officer"], record=old, successor=newer)
    assert done.state == State.SUPERSEDED and done.superseded_by_id == newer.pk


def test_other_agencies_records_are_not_visible(bureau):
    record = draft(bureau)
    assert record in selectors.records_for(bureau["clerk"])
    assert record not in selectors.records_for(bureau["other_officer"])
    other_clerk = user_with_role(
        Role.CLERK,
        agency=bureau["agency"],
        department=DepartmentFactory(agency=bureau["agency"], name="养老服务科"),
    )
    assert record not in selectors.records_for(other_clerk)
    assert record in selectors.records_for(bureau["leader"])
    assert not bureau["other_officer"].has_perm("disclosure.view_record", record)
    assert bureau["leader"].has_perm("disclosure.view_record", record)


# --- Reminders ----------------------------------------------------------------------------------


def test_deadline_source_reminds_the_department(bureau):
    from fazhi.disclosure.services.proactive import unpublished_records

    record = draft(bureau)
    published(bureau)
    [item] = list(unpublished_records(timezone.localdate()))
    assert item.target == record and item.due_on == record.due_on
    assert set(item.recipients) == {bureau["clerk"], bureau["head"]}
    assert bureau["officer"] in item.escalate_to
    assert "应于" in item.title
    assert item.url == f"/staff/disclosure/catalogue/{record.pk}/"


# --- Timeliness ---------------------------------------------------------------------------------


def test_timeliness_counts_published_within_the_limit(bureau):
    published(bureau, formed_on=timezone.localdate())  # on time
    published(bureau, formed_on=date(2026, 1, 5))  # months late
    figures = selectors.timeliness(bureau["agency"], timezone.localdate().year)
    row = next(r for r in figures["rows"] if r.category == "art20_11")
    assert (row.published, row.on_time, row.late) == (2, 1, 1)
    assert (figures["published"], figures["on_time"], figures["late"]) == (2, 1, 1)
    assert len(figures["rows"]) == 15


def test_the_legal_office_may_send_a_released_record_back(bureau):
    record = draft(bureau)
    released(bureau, record)
    with pytest.raises(NotAllowed):
        services.record_return(actor=bureau["head"], record=record, reason="再核实")
    with pytest.raises(InvalidInput):
        services.record_return(actor=bureau["officer"], record=record, reason="")
    back = services.record_return(actor=bureau["officer"], record=record, reason="数据口径需统一")
    assert back.state == State.DRAFT
    # The old release does not carry over: the next round is reviewed afresh.
    services.record_submit(actor=bureau["clerk"], record=record)
    record.refresh_from_db()
    with pytest.raises(Conflict):
        workflow.perform(record, "pass_review", actor=bureau["head"])


def test_staff_download_of_attachments_follows_the_record(bureau):
    from django.http import Http404

    from fazhi.core.files.services import file_download

    record = draft(bureau)
    stored = services.record_attach(actor=bureau["clerk"], record=record, upload=docx_upload("a"))
    _stored, handle = file_download(actor=bureau["leader"], file_id=stored.pk)
    handle.close()
    with pytest.raises(Http404):
        file_download(actor=bureau["other_officer"], file_id=stored.pk)
    other_clerk = user_with_role(
        Role.CLERK,
        agency=bureau["agency"],
        department=DepartmentFactory(agency=bureau["agency"], name="养老服务科"),
    )
    with pytest.raises(Http404):
        file_download(actor=other_clerk, file_id=stored.pk)


def test_tasks_show_what_waits_for_each_person(bureau):
    from fazhi.workspace.tasks import tasks_for

    def mine(user):
        return [str(t.title) for t in tasks_for(user) if "《" in str(t.title)]

    late = draft(bureau, title="逾期草稿", formed_on=date(2026, 1, 5))
    draft(bureau, title="新草稿", formed_on=timezone.localdate())
    assert mine(bureau["clerk"]) == ["完成并提交主动公开信息《逾期草稿》"]
    services.record_submit(actor=bureau["clerk"], record=late)
    assert mine(bureau["clerk"]) == []
    assert mine(bureau["head"]) == ["保密审查《逾期草稿》"]
    services.record_review(
        actor=bureau["head"], record=late, checklist=ALL_NO, conclusion="release"
    )
    assert mine(bureau["officer"]) == ["审核发布《逾期草稿》"]
    assert mine(bureau["other_officer"]) == [] and mine(bureau["leader"]) == []
