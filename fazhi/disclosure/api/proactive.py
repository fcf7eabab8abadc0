"""Proactive disclosure (主动公开) through the API.

Staff, at /api/disclosure/records/ (`router`): list, create, detail, update, attachments,
submit, findings clear/redact, review, publish, withdraw, supersede. Each route calls the same
service as the staff pages, with the same checks: a role without catalogue work 403, a record
of another agency (or none) 404, a state or guard that does not allow the step 409, bad input
422 — in the error shape of fazhi.api.api. There is no generic `/actions/{action}` route: each
transition is taken by its service, which writes the record its guard reads.

Public, at /api/public/disclosure/catalogue/ (`public_router`, no authentication): the
catalogue and one entry, and the attachments of published entries. Withdrawn entries show their
public reason, never their body or files.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core import workflow
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.files import storage
from fazhi.core.models import Agency
from fazhi.core.tenancy import access, writable_agency_ids
from fazhi.disclosure import selectors, services
from fazhi.disclosure.models import PublicRecord, ScanFinding
from fazhi.disclosure.models.proactive import Category, FiveDisclosures, PublishForm, Validity
from fazhi.disclosure.services.proactive import FINDING_KINDS

router = Router(tags=["disclosure: catalogue"])
public_router = Router(auth=None, tags=["public: disclosure catalogue"])

State = PublicRecord.State
_ID = re.compile(r"[0-9]{1,18}")
ExpectedState = Literal[tuple(State.values)] | None  # type: ignore[valid-type]


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


# --- Schemas ----------------------------------------------------------------------------------


class RecordIn(ApiIn):
    agency: Text = Field(
        "", title="机关", max_length=20, description="机关 id；只属一个机关时可省略"
    )
    department: Text = Field("", title="产生部门", max_length=20, description="科室 id；可空")
    title: Text = Field(..., title="标题", min_length=1, max_length=200)
    formed_on: Day = Field(..., title="成文日期")
    category: Text = Field(..., title="公开类别", max_length=20)
    topic: Text = Field(..., title="主题分类", min_length=1, max_length=40)
    document_number: Text = Field("", title="发文字号", max_length=60)
    five_disclosures: Text = Field("", title="五公开", max_length=20)
    publish_form: Text = Field(PublishForm.WEBSITE, title="公开方式", max_length=20)
    validity: Text = Field("", title="有效性", max_length=20)
    body: Text = Field("", title="正文", max_length=services.proactive.MAX_BODY)


class RecordUpdateIn(ApiIn):
    department: Text | None = Field(None, title="产生部门", max_length=20)
    title: Text | None = Field(None, title="标题", max_length=200)
    formed_on: Day | None = Field(None, title="成文日期")
    category: Text | None = Field(None, title="公开类别", max_length=20)
    topic: Text | None = Field(None, title="主题分类", max_length=40)
    document_number: Text | None = Field(None, title="发文字号", max_length=60)
    five_disclosures: Text | None = Field(None, title="五公开", max_length=20)
    publish_form: Text | None = Field(None, title="公开方式", max_length=20)
    validity: Text | None = Field(None, title="有效性", max_length=20)
    body: Text | None = Field(None, title="正文", max_length=services.proactive.MAX_BODY)
    expected_state: ExpectedState = Field(None, title="预期状态")


class StateIn(ApiIn):
    expected_state: ExpectedState = Field(None, title="预期状态")


class ClearIn(StateIn):
    reason: Text = Field(..., title="可以公开的理由", max_length=200)


class ReviewIn(StateIn):
    checklist: dict[str, bool] = Field(..., title="审查事项")
    conclusion: Literal["release", "return", "withhold"] = Field(..., title="审查结论")
    comment: Text = Field("", title="审查意见", max_length=2000)


class PublishIn(StateIn):
    published_on: Day | None = Field(None, title="公开日期")


class WithdrawIn(StateIn):
    reason: Text = Field(..., title="撤回理由", max_length=500)
    withdrawn_on: Day | None = Field(None, title="撤回日期")


class SupersedeIn(StateIn):
    successor: Text = Field(..., title="替代记录", max_length=20, description="新记录 id")


class ListQuery(Schema):
    state: str = ""
    category: str = ""
    department: str = ""
    q: str = ""
    cursor: str = ""
    limit: str = ""


class FileOut(Schema):
    id: str
    name: str
    size: int
    download_url: str


class FindingOut(Schema):
    id: str
    kind: str
    kind_label: str
    masked: str
    context: str
    attachment: str | None
    resolution: str
    resolution_label: str
    reason: str


class ReviewOut(Schema):
    conclusion: str
    conclusion_label: str
    checklist: dict[str, bool]
    comment: str
    reviewer: str
    reviewed_at: dt.datetime


class RecordSummary(Schema):
    id: str
    title: str
    state: str
    state_label: str
    agency: str
    department: str
    category: str
    category_label: str
    index_number: str
    document_number: str
    formed_on: dt.date
    due_on: dt.date | None
    due_provisional: bool
    published_on: dt.date | None
    open_findings: int


class RecordPage(Schema):
    items: list[RecordSummary]
    next_cursor: str | None


class RecordOut(RecordSummary):
    topic: str
    five_disclosures: str
    five_disclosures_label: str
    publish_form: str
    publish_form_label: str
    validity: str
    validity_label: str
    body: str
    withdrawn_on: dt.date | None
    withdrawal_reason: str
    superseded_by: str | None
    source_document: str | None
    attachments: list[FileOut]
    findings: list[FindingOut]
    reviews: list[ReviewOut]
    checklist_items: list[dict[str, str]]
    available_actions: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class CatalogueQuery(Schema):
    agency: str = ""
    category: str = ""
    five_disclosures: str = ""
    topic: str = ""
    year: str = ""
    q: str = ""
    cursor: str = ""
    limit: str = ""


class EntryOut(Schema):
    id: str
    agency: str
    department: str
    index_number: str
    title: str
    document_number: str
    formed_on: dt.date
    published_on: dt.date | None
    category: str
    category_label: str
    five_disclosures: str
    five_disclosures_label: str
    topic: str
    publish_form_label: str
    validity: str
    validity_label: str
    state: str
    state_label: str
    withdrawn_on: dt.date | None
    withdrawal_reason: str
    superseded_by: str | None


class EntryPage(Schema):
    items: list[EntryOut]
    next_cursor: str | None


class EntryDetailOut(EntryOut):
    body: str
    attachments: list[FileOut]


# --- Staff helpers ----------------------------------------------------------------------------


def _may_work_with_catalogue(user) -> None:
    if not user.has_perm("disclosure.view_catalogue"):
        raise PermissionDenied


def _read(request, record_id) -> PublicRecord:
    _may_work_with_catalogue(request.user)
    record = access(request.user, selectors.records_for(request.user), _id(record_id))
    if not request.user.has_perm("disclosure.view_record", record):
        raise PermissionDenied
    return record


def _check_state(record, expected_state) -> None:
    if expected_state is not None and record.state != expected_state:
        raise Conflict(
            _("该信息当前为“%(state)s”，已被他人处理，请刷新后重试。")
            % {"state": record.get_state_display()},
            code="state_changed",
        )


def _acting(request, record_id, expected_state=None) -> PublicRecord:
    record = _read(request, record_id)
    _check_state(record, expected_state)
    return record


def _summary(record) -> dict:
    return {
        "id": str(record.pk),
        "title": record.title,
        "state": record.state,
        "state_label": str(record.get_state_display()),
        "agency": record.agency.name,
        "department": record.department.name if record.department_id else "",
        "category": record.category,
        "category_label": _label(Category.choices, record.category),
        "index_number": record.index_number,
        "document_number": record.document_number,
        "formed_on": record.formed_on,
        "due_on": record.due_on,
        "due_provisional": record.due_provisional,
        "published_on": record.published_on,
        "open_findings": getattr(record, "open_findings", 0),
    }


def _staff_file(stored) -> dict:
    return {
        "id": str(stored.pk),
        "name": stored.original_name,
        "size": stored.size,
        "download_url": reverse("files:download", args=[stored.pk]),
    }


def _out(request, record_id) -> dict:
    record = (
        PublicRecord.objects.select_related("agency", "department").prefetch_related("attachments")
    ).get(pk=record_id)
    findings = list(selectors.record_findings(record))
    return {
        **_summary(record),
        "open_findings": sum(1 for f in findings if f.resolution == ScanFinding.Resolution.OPEN),
        "topic": record.topic,
        "five_disclosures": record.five_disclosures,
        "five_disclosures_label": _label(FiveDisclosures.choices, record.five_disclosures),
        "publish_form": record.publish_form,
        "publish_form_label": _label(PublishForm.choices, record.publish_form),
        "validity": record.validity,
        "validity_label": _label(Validity.choices, record.validity),
        "body": record.body,
        "withdrawn_on": record.withdrawn_on,
        "withdrawal_reason": record.withdrawal_reason,
        "superseded_by": str(record.superseded_by_id) if record.superseded_by_id else None,
        "source_document": str(record.source_document_id) if record.source_document_id else None,
        "attachments": [_staff_file(f) for f in record.attachments.order_by("pk")],
        "findings": [
            {
                "id": str(f.pk),
                "kind": f.kind,
                "kind_label": str(FINDING_KINDS.get(f.kind, f.kind)),
                "masked": f.masked,
                "context": f.context,
                "attachment": str(f.attachment_id) if f.attachment_id else None,
                "resolution": f.resolution,
                "resolution_label": str(f.get_resolution_display()),
                "reason": f.reason,
            }
            for f in findings
        ],
        "reviews": [
            {
                "conclusion": r.conclusion,
                "conclusion_label": str(r.get_conclusion_display()),
                "checklist": r.checklist,
                "comment": r.comment,
                "reviewer": str(r.reviewer),
                "reviewed_at": r.reviewed_at,
            }
            for r in selectors.record_reviews(record)
        ],
        "checklist_items": services.review_checklist(record.agency_id),
        "available_actions": workflow.available_actions(record, request.user),
        "timeline": [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor_name,
                "verb": e.verb,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": str(e.data.get("comment", "")),
            }
            for e in selectors.record_timeline(record)
        ],
    }


def _agency_for(user, agency_id: str) -> Agency:
    writable = writable_agency_ids(user)
    if agency_id:
        if _id(agency_id) not in writable:
            raise Http404
        return Agency.objects.get(pk=_id(agency_id))
    if len(writable) != 1:
        raise InvalidInput(_("请选择机关。"), code="agency_required", fields=["agency"])
    return Agency.objects.get(pk=next(iter(writable)))


def _department(agency, value: str | None):
    if not value:
        return None
    from fazhi.core.models import Department

    department = Department.objects.filter(pk=_id(value), agency=agency).first()
    if department is None:
        raise InvalidInput(_("请选择本机关的科室。"), code="department_invalid")
    return department


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
    return int(text)


def _finding(record, finding_id) -> ScanFinding:
    finding = ScanFinding.objects.filter(record=record, pk=_id(finding_id)).first()
    if finding is None:
        raise Http404
    return finding


# --- Staff routes -----------------------------------------------------------------------------


@router.get("/", response=RecordPage, url_name="disclosure_records_list")
def record_list(request, filters: Query[ListQuery]):
    """The records the caller may open, newest first, with open findings counted."""
    _may_work_with_catalogue(request.user)
    if filters.state and filters.state not in State.values:
        raise InvalidInput(_("状态不正确。"), code="bad_filter", fields=["state"])
    page = paginate(
        selectors.record_worklist(
            request.user,
            state=filters.state,
            category=filters.category,
            department=_id(filters.department) if filters.department else None,
            q=filters.q,
        ),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    return {"items": [_summary(r) for r in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/", response={201: RecordOut}, url_name="disclosure_records_create")
def record_create(request, body: RecordIn):
    """A new draft; its Art. 26 deadline counts from `formed_on`."""
    _may_work_with_catalogue(request.user)
    agency = _agency_for(request.user, body.agency)
    created = services.record_create(
        actor=request.user,
        agency=agency,
        department=_department(agency, body.department),
        title=body.title,
        formed_on=body.formed_on,
        category=body.category,
        topic=body.topic,
        document_number=body.document_number,
        five_disclosures=body.five_disclosures,
        publish_form=body.publish_form,
        validity=body.validity,
        body=body.body,
    )
    return Status(201, _out(request, created.pk))


@router.get("/{record_id}", response=RecordOut, url_name="disclosure_records_detail")
def record_detail(request, record_id: str):
    record = _read(request, record_id)
    return _out(request, record.pk)


@router.patch("/{record_id}", response=RecordOut, url_name="disclosure_records_update")
def record_update(request, record_id: str, body: RecordUpdateIn):
    """Change a draft: only the fields sent."""
    with transaction.atomic():
        record = _acting(request, record_id, body.expected_state)
        fields = body.dict(exclude_unset=True, exclude={"expected_state"})
        if "department" in fields:
            fields["department"] = _department(record.agency, fields["department"])
        services.record_update(actor=request.user, record=record, **fields)
    return _out(request, record.pk)


@router.post(
    "/{record_id}/attachments", response={201: FileOut}, url_name="disclosure_records_attach"
)
def record_attach(request, record_id: str, file: File[UploadedFile]):
    """Attach a DOCX, PDF, XLSX or image (multipart field `file`)."""
    record = _acting(request, record_id)
    stored = services.record_attach(actor=request.user, record=record, upload=file)
    return Status(201, _staff_file(stored))


@router.delete(
    "/{record_id}/attachments/{file_id}",
    response=RecordOut,
    url_name="disclosure_records_detach",
)
def record_detach(request, record_id: str, file_id: str):
    record = _acting(request, record_id)
    services.record_detach(actor=request.user, record=record, file_id=_id(file_id))
    return _out(request, record.pk)


@router.post("/{record_id}/submit", response=RecordOut, url_name="disclosure_records_submit")
def record_submit(request, record_id: str, body: StateIn):
    """To 保密审查: the personal-data scan runs and its findings are listed."""
    record = _acting(request, record_id, body.expected_state)
    services.record_submit(actor=request.user, record=record)
    return _out(request, record.pk)


@router.post(
    "/{record_id}/findings/{finding_id}/clear",
    response=RecordOut,
    url_name="disclosure_records_finding_clear",
)
def finding_clear(request, record_id: str, finding_id: str, body: ClearIn):
    record = _acting(request, record_id, body.expected_state)
    services.finding_clear(
        actor=request.user, finding=_finding(record, finding_id), reason=body.reason
    )
    return _out(request, record.pk)


@router.post(
    "/{record_id}/findings/{finding_id}/redact",
    response=RecordOut,
    url_name="disclosure_records_finding_redact",
)
def finding_redact(request, record_id: str, finding_id: str, body: StateIn):
    record = _acting(request, record_id, body.expected_state)
    services.finding_redact(actor=request.user, finding=_finding(record, finding_id))
    return _out(request, record.pk)


@router.post("/{record_id}/review", response=RecordOut, url_name="disclosure_records_review")
def record_review(request, record_id: str, body: ReviewIn):
    """保密审查: every checklist item (`checklist_items` of the detail) and a conclusion."""
    record = _acting(request, record_id, body.expected_state)
    services.record_review(
        actor=request.user,
        record=record,
        checklist=body.checklist,
        conclusion=body.conclusion,
        comment=body.comment,
    )
    return _out(request, record.pk)


@router.post("/{record_id}/publish", response=RecordOut, url_name="disclosure_records_publish")
def record_publish(request, record_id: str, body: PublishIn):
    record = _acting(request, record_id, body.expected_state)
    services.record_publish(actor=request.user, record=record, published_on=body.published_on)
    return _out(request, record.pk)


@router.post("/{record_id}/withdraw", response=RecordOut, url_name="disclosure_records_withdraw")
def record_withdraw(request, record_id: str, body: WithdrawIn):
    record = _acting(request, record_id, body.expected_state)
    services.record_withdraw(
        actor=request.user, record=record, reason=body.reason, withdrawn_on=body.withdrawn_on
    )
    return _out(request, record.pk)


@router.post("/{record_id}/supersede", response=RecordOut, url_name="disclosure_records_supersede")
def record_supersede(request, record_id: str, body: SupersedeIn):
    record = _acting(request, record_id, body.expected_state)
    successor = PublicRecord.objects.filter(pk=_id(body.successor), agency=record.agency).first()
    if successor is None:
        raise InvalidInput(
            _("请选择本机关的另一条信息作为替代。"), code="successor_invalid", fields=["successor"]
        )
    services.record_supersede(actor=request.user, record=record, successor=successor)
    return _out(request, record.pk)


# --- Public catalogue -------------------------------------------------------------------------


def _public_file(record, stored) -> dict:
    return {
        "id": str(stored.pk),
        "name": stored.original_name,
        "size": stored.size,
        "download_url": reverse(
            "api:public_catalogue_attachment", args=[str(record.pk), str(stored.pk)]
        ),
    }


def _entry(record) -> dict:
    validity = getattr(record, "validity_now", record.validity)
    return {
        "id": str(record.pk),
        "agency": record.agency.name,
        "department": record.department.name if record.department_id else "",
        "index_number": record.index_number,
        "title": record.title,
        "document_number": record.document_number,
        "formed_on": record.formed_on,
        "published_on": record.published_on,
        "category": record.category,
        "category_label": _label(Category.choices, record.category),
        "five_disclosures": record.five_disclosures,
        "five_disclosures_label": _label(FiveDisclosures.choices, record.five_disclosures),
        "topic": record.topic,
        "publish_form_label": _label(PublishForm.choices, record.publish_form),
        "validity": validity,
        "validity_label": _label(Validity.choices, validity) or str(Validity("").label),
        "state": record.state,
        "state_label": str(record.get_state_display()),
        "withdrawn_on": record.withdrawn_on,
        "withdrawal_reason": record.withdrawal_reason,
        "superseded_by": str(record.superseded_by_id) if record.superseded_by_id else None,
    }


@public_router.get("/", response=EntryPage, url_name="public_catalogue")
def catalogue_list(request, filters: Query[CatalogueQuery]):
    """公开目录: published entries (withdrawn and superseded ones marked as such), newest
    entered first; filter by agency, category, 五公开, topic, year, and search the text."""
    year = None
    if filters.year:
        if not re.fullmatch(r"[0-9]{4}", filters.year):
            raise InvalidInput(_("年份格式不正确。"), code="bad_filter", fields=["year"])
        year = int(filters.year)
    agency = None
    if filters.agency:
        agency = _id(filters.agency)
        if agency is None:
            raise InvalidInput(_("机关不正确。"), code="bad_filter", fields=["agency"])
    page = paginate(
        selectors.catalogue(
            agency,
            category=filters.category,
            five_disclosures=filters.five_disclosures,
            topic=filters.topic,
            year=year,
            q=filters.q,
        ),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    return {"items": [_entry(r) for r in page["items"]], "next_cursor": page["next_cursor"]}


@public_router.get("/{record_id}", response=EntryDetailOut, url_name="public_catalogue_entry")
def catalogue_entry(request, record_id: str):
    record = selectors.catalogue_record(_id(record_id))
    if record is None:
        raise Http404
    shown = record.state == State.PUBLISHED
    return {
        **_entry(record),
        "body": record.body if shown else "",
        "attachments": [_public_file(record, f) for f in record.attachments.all()] if shown else [],
    }


@public_router.get("/{record_id}/attachments/{file_id}", url_name="public_catalogue_attachment")
def catalogue_attachment(request, record_id: str, file_id: str):
    """An attachment of a published entry (withdrawn ones are no longer given out)."""
    stored = selectors.catalogue_attachment(_id(record_id), _id(file_id))
    if stored is None:
        raise Http404
    return FileResponse(
        storage.content_open(stored.sha256),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
