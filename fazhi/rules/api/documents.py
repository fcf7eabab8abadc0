"""Staff actions on normative documents through the API (design "API conventions").

Every route calls the same service as the staff page, with the same permission checks:
a role that may not act gets 403, a document of another agency (or none) 404, a closed gate 409,
bad input 422 — always in the error shape of fazhi.api.api with a Chinese message.

The actions whose service does more than the bare transition (open a consultation with its
period, submit with a new review round, record the review, the decision, issue with a number)
have their own routes at `/documents/{id}/actions/<name>`. They are put in front of the generic
`/actions/{action}` route of workflow_routes, so a crafted call by the action's name always
reaches the service and can never take the transition without the records its gates read.
Every action accepts `expected_state`: a state other than the one the caller saw answers 409
`state_changed` instead of acting (the conventions' protection against double submits).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import MAX_LIMIT, paginate
from fazhi.api.workflow_routes import RecordOut, record_out
from fazhi.core import agency_settings
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Department
from fazhi.core.tenancy import access, writable_agency_ids
from fazhi.rules import selectors, services
from fazhi.rules.api import _fields, router
from fazhi.rules.models import NormativeDocument, PublicComment

COLLECTION = "/documents"
_ID = re.compile(r"[0-9]{1,18}")

# Input schemas with Chinese messages: fazhi.api.inputs (shared by every app's API).
ExpectedState = Literal[tuple(NormativeDocument.State.values)] | None  # type: ignore[valid-type]


class CreateIn(ApiIn):
    department: Text = Field(..., title="起草科室", max_length=20, description="科室 id")
    title: Text = Field(..., title="标题", min_length=1, max_length=200)
    text: Text = Field(..., title="正文", min_length=1, max_length=200_000)
    kind: Literal["normative", "interim", "trial", "notice"] = Field("normative", title="类型")
    legal_basis: Text = Field("", title="制定依据", max_length=5000)
    drafting_note: Text = Field("", title="起草说明", max_length=20_000)
    market_related: bool = Field(False, title="涉及市场主体生产经营")
    major_rights: bool = Field(True, title="涉及公民权利义务或切身利益")
    planned_validity_years: int = Field(5, title="拟定有效期（年）", ge=1, le=10)


class VersionIn(ApiIn):
    text: Text = Field(..., title="正文", min_length=1, max_length=200_000)
    note: Text = Field("", title="修改说明", max_length=200)
    # The newest version the caller saw: someone else's newer save answers 409, not overwritten.
    expected_version: int | None = Field(None, title="所依据的版本号", ge=1, le=100_000)


class ExemptionIn(ApiIn):
    ground: Text = Field(..., title="不征求意见的法定理由", min_length=1, max_length=2000)
    expected_state: ExpectedState = Field(None, title="预期状态")


class ConsultationIn(ApiIn):
    opens_on: Day = Field(..., title="开始日期")
    closes_on: Day = Field(..., title="截止日期")
    expected_state: ExpectedState = Field(None, title="预期状态")


class StateIn(ApiIn):
    expected_state: ExpectedState = Field(None, title="预期状态")


class ResponseIn(ApiIn):
    response: Literal["adopted", "partly", "not_adopted"] = Field(..., title="采纳情况")
    reason: Text = Field("", title="理由", max_length=2000)


class ReportIn(ApiIn):
    report: Text = Field(..., title="意见采纳情况说明", min_length=1, max_length=50_000)
    expected_state: ExpectedState = Field(None, title="预期状态")


class ChecklistIn(ApiIn):
    authority: bool = Field(..., title="制定主体合法")
    competence: bool = Field(..., title="未超越法定权限")
    procedure: bool = Field(..., title="制定程序合法")
    content: bool = Field(..., title="内容合法")
    form: bool = Field(..., title="形式规范")


class PassReviewIn(ApiIn):
    checklist: ChecklistIn = Field(..., title="审核要点")
    report: Text = Field(..., title="审核报告", min_length=1, max_length=50_000)
    adviser_opinion: Text = Field("", title="法律顾问意见", max_length=20_000)
    expected_state: ExpectedState = Field(None, title="预期状态")


class ReturnReviewIn(PassReviewIn):
    opinion: Literal["changes", "fail"] = Field("changes", title="审核意见")


class DecisionIn(ApiIn):
    meeting: Literal["director", "bureau"] = Field(..., title="会议")
    meeting_date: Day = Field(..., title="会议日期")
    attendees: Text = Field(..., title="出席人员", min_length=1, max_length=500)
    decision: Text = Field(..., title="决定内容", min_length=1, max_length=20_000)
    # Not adopted: the making ends (the service abandons the document with the decision).
    adopted: bool = Field(True, title="审议通过")
    expected_state: ExpectedState = Field(None, title="预期状态")


class IssueIn(ApiIn):
    published_on: Day = Field(..., title="公布日期")
    effective_on: Day = Field(..., title="施行日期")
    valid_until: Day = Field(..., title="有效期至")
    interpretation: Text = Field(..., title="政策解读", min_length=1, max_length=50_000)
    validity_reason: Text = Field("", title="有效期超过上限的理由", max_length=5000)
    expected_state: ExpectedState = Field(None, title="预期状态")


class FilingIn(ApiIn):
    outcome: Literal["filed", "accepted", "correction"] = Field(..., title="备案结果")
    filed_on: Day | None = Field(None, title="报送日期")
    note: Text = Field("", title="说明", max_length=5000)


class ListQuery(Schema):
    """Query parameters arrive as text and are parsed here, so mistakes get Chinese messages."""

    state: str = ""
    cursor: str = ""
    limit: str = ""


class CommentQuery(Schema):
    unanswered: str = ""
    cursor: str = ""
    limit: str = ""


# --- Output schemas ----------------------------------------------------------------------------


class DocumentRow(Schema):
    id: str
    title: str
    kind: str
    state: str
    state_label: str
    department: str
    doc_number: str | None
    published_on: dt.date | None
    valid_until: dt.date | None
    due_on: dt.date | None
    overdue: bool


class DocumentPage(Schema):
    items: list[DocumentRow]
    next_cursor: str | None


class VersionOut(Schema):
    number: int
    note: str
    created_by: str
    created_at: dt.datetime


class CommentOut(Schema):
    id: str
    article: int | None
    text: str
    # Staff see who wrote it; the phone only masked, as on the staff page.
    submitter_name: str
    submitter_phone: str
    submitted_at: dt.datetime
    response: str
    response_label: str
    response_reason: str
    responded_at: dt.datetime | None


class CommentPage(Schema):
    items: list[CommentOut]
    next_cursor: str | None


class ConsultationOut(Schema):
    id: str
    opens_on: dt.date
    closes_on: dt.date
    rule: str
    is_open: bool
    comment_count: int
    unanswered_count: int
    report: str
    report_published_at: dt.datetime | None
    # The adoption report drafted from the answers, grouped by article, for staff to edit.
    report_draft: str


class FilingOut(Schema):
    due_on: dt.date
    filed_on: dt.date | None
    outcome: str
    outcome_label: str
    note: str


# --- Helpers -----------------------------------------------------------------------------------


def _may_work_with_documents(user) -> None:
    """The same page-level check as the staff pages: roles without documents work get 403."""
    if not user.has_perm("normative.view_list"):
        raise PermissionDenied


def _id(text: str) -> int | None:
    """An id from the path or the body; None for anything that is not one (a Unicode digit
    such as "³", or a number too large for the database's integers)."""
    return int(text) if _ID.fullmatch(text) else None


def _read(request, record_id: str) -> NormativeDocument:
    _may_work_with_documents(request.user)
    return access(request.user, selectors.documents_for(request.user), _id(record_id))


@contextmanager
def _acting_on(request, record_id: str, expected_state: str | None = None) -> Iterator:
    """The document locked for the length of the action, checked against the state the caller
    saw; the service locks the same row again in the same transaction."""
    _may_work_with_documents(request.user)
    with transaction.atomic():
        document = access(
            request.user,
            selectors.documents_for(request.user).select_for_update(of=("self",)),
            _id(record_id),
            write=True,
        )
        if expected_state is not None and document.state != expected_state:
            raise Conflict(
                _("文件当前为“%(state)s”，已被他人处理，请刷新后重试。")
                % {"state": document.get_state_display()},
                code="state_changed",
            )
        yield document


def _out(request, document_id: int) -> dict:
    document = selectors.documents_for(request.user).get(pk=document_id)
    return record_out(document, request.user, _fields(document))


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInput(
            _("每页条数须在 1 至 %(max)d 之间。") % {"max": MAX_LIMIT}, code="bad_limit"
        )
    return int(text)


def _consultation(document):
    try:
        return document.consultation
    except NormativeDocument.consultation.RelatedObjectDoesNotExist:
        raise Http404 from None


def _comment_out(comment: PublicComment) -> dict:
    return {
        "id": str(comment.pk),
        "article": comment.article,
        "text": comment.text,
        "submitter_name": comment.submitter_name,
        "submitter_phone": str(comment.submitter_phone),
        "submitted_at": comment.submitted_at,
        "response": comment.response,
        "response_label": str(comment.get_response_display()) if comment.response else "",
        "response_reason": comment.response_reason,
        "responded_at": comment.responded_at,
    }


def _consultation_out(consultation) -> dict:
    comments = list(consultation.comments.all())
    return {
        "id": str(consultation.pk),
        "opens_on": consultation.opens_on,
        "closes_on": consultation.closes_on,
        "rule": consultation.rule,
        "is_open": consultation.document.state == NormativeDocument.State.CONSULTATION
        and consultation.is_open(),
        "comment_count": len(comments),
        "unanswered_count": sum(1 for c in comments if not c.response),
        "report": consultation.report,
        "report_published_at": consultation.report_published_at,
        "report_draft": services.consultation_report_draft(consultation),
    }


def _filing_out(filing) -> dict:
    return {
        "due_on": filing.due_on,
        "filed_on": filing.filed_on,
        "outcome": filing.outcome,
        "outcome_label": str(filing.get_outcome_display()),
        "note": filing.note,
    }


# --- The collection ----------------------------------------------------------------------------


@router.get(f"{COLLECTION}/", response=DocumentPage, url_name="documents_list")
def document_list(request, filters: Query[ListQuery]):
    """The worklist: documents of the caller's agencies, newest first, by state."""
    _may_work_with_documents(request.user)
    state = filters.state.strip()
    if state and state not in NormativeDocument.State.values:
        raise InvalidInput(_("状态不存在。"), code="bad_state")
    page = paginate(
        selectors.worklist(request.user, state=state),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    today = timezone.localdate()
    maxima: dict[int, int] = {}
    items = []
    for document in page["items"]:
        if document.agency_id not in maxima:
            maxima[document.agency_id] = agency_settings.get(
                document.agency_id, "rules.legality_review_max_workdays"
            )
        due_on = selectors.stage_due_on(document, maxima[document.agency_id])
        items.append(
            {
                "id": str(document.pk),
                "title": document.title,
                "kind": document.kind,
                "state": document.state,
                "state_label": str(document.get_state_display()),
                "department": document.department.name,
                "doc_number": document.doc_number.text if document.doc_number_id else None,
                "published_on": document.published_on,
                "valid_until": document.valid_until,
                "due_on": due_on,
                "overdue": bool(due_on and due_on < today),
            }
        )
    return {"items": items, "next_cursor": page["next_cursor"]}


@router.post(f"{COLLECTION}/", response={201: RecordOut}, url_name="documents_create")
def document_create(request, body: CreateIn):
    """A new draft with its first version (起草)."""
    _may_work_with_documents(request.user)
    department = (
        Department.objects.filter(
            pk=_id(body.department),
            agency_id__in=writable_agency_ids(request.user),
        )
        .select_related("agency")
        .first()
    )
    if department is None:
        raise InvalidInput(_("起草科室不存在或不属于您的机关。"), code="department_invalid")
    document = services.document_create(
        actor=request.user,
        agency=department.agency,
        department=department,
        **body.model_dump(exclude={"department"}),
    )
    return Status(201, _out(request, document.pk))


@router.post(
    f"{COLLECTION}/{{record_id}}/versions", response={201: VersionOut}, url_name="documents_version"
)
def version_save(request, record_id: str, body: VersionIn):
    """Save a new text of the draft (each save is a version that can be compared)."""
    with _acting_on(request, record_id) as document:
        if body.expected_version is not None:
            latest = document.versions.order_by("-number").values_list("number", flat=True)
            if (latest.first() or 0) != body.expected_version:
                raise Conflict(
                    _("正文已被他人保存为新版本，请刷新后在最新版本上修改。"),
                    code="version_changed",
                )
        version = services.document_save_version(
            actor=request.user, document=document, text=body.text, note=body.note
        )
    return Status(
        201,
        {
            "number": version.number,
            "note": version.note,
            "created_by": version.created_by.display_name or version.created_by.get_username(),
            "created_at": version.created_at,
        },
    )


@router.post(
    f"{COLLECTION}/{{record_id}}/exemption", response=RecordOut, url_name="documents_exemption"
)
def exemption_approve(request, record_id: str, body: ExemptionIn):
    """The legal office approves skipping consultation on a stated legal ground."""
    with _acting_on(request, record_id, body.expected_state) as document:
        services.exemption_approve(actor=request.user, document=document, ground=body.ground)
    return _out(request, document.pk)


# --- Consultation ------------------------------------------------------------------------------


@router.get(
    f"{COLLECTION}/{{record_id}}/consultation",
    response=ConsultationOut,
    url_name="documents_consultation",
)
def consultation_detail(request, record_id: str):
    """The consultation's period and rule, its adoption report and the draft of that report."""
    return _consultation_out(_consultation(_read(request, record_id)))


@router.get(
    f"{COLLECTION}/{{record_id}}/consultation/comments",
    response=CommentPage,
    url_name="documents_comments",
)
def comment_list(request, record_id: str, filters: Query[CommentQuery]):
    """The public's comments (name shown, phone masked), newest first; `unanswered=true`
    lists only those still waiting for an answer."""
    consultation = _consultation(_read(request, record_id))
    if filters.unanswered not in ("", "true", "false"):
        raise InvalidInput(_("unanswered 须为 true 或 false。"), code="bad_filter")
    comments = consultation.comments.all()
    if filters.unanswered == "true":
        comments = comments.filter(response="")
    page = paginate(comments, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {
        "items": [_comment_out(c) for c in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.post(
    f"{COLLECTION}/{{record_id}}/consultation/comments/{{comment_id}}/response",
    response=CommentOut,
    url_name="documents_comment_respond",
)
def comment_respond(request, record_id: str, comment_id: str, body: ResponseIn):
    """Answer one comment: adopted, partly adopted or not adopted (the last two with reason)."""
    with _acting_on(request, record_id) as document:
        comment = (
            PublicComment.objects.filter(
                pk=_id(comment_id),
                consultation__document=document,
            )
            .select_related("consultation__document")
            .first()
        )
        if comment is None:
            raise Http404
        answered = services.comment_respond(
            actor=request.user, comment=comment, response=body.response, reason=body.reason
        )
    return _comment_out(answered)


@router.post(
    f"{COLLECTION}/{{record_id}}/consultation/report",
    response=ConsultationOut,
    url_name="documents_report",
)
def report_publish(request, record_id: str, body: ReportIn):
    """Publish the adoption report (every comment must have its answer)."""
    with _acting_on(request, record_id, body.expected_state) as document:
        consultation = services.consultation_report_publish(
            actor=request.user, document=document, report=body.report
        )
    return _consultation_out(consultation)


# --- Actions whose service does more than the transition ---------------------------------------

ACTIONS = f"{COLLECTION}/{{record_id}}/actions"


@router.post(
    f"{ACTIONS}/open_consultation", response=RecordOut, url_name="documents_open_consultation"
)
def open_consultation(request, record_id: str, body: ConsultationIn):
    """Publish the draft for comments for a period no shorter than the rule."""
    with _acting_on(request, record_id, body.expected_state) as document:
        services.consultation_open(
            actor=request.user, document=document, opens_on=body.opens_on, closes_on=body.closes_on
        )
    return _out(request, document.pk)


@router.post(f"{ACTIONS}/submit_for_review", response=RecordOut, url_name="documents_submit")
def submit_for_review(request, record_id: str, body: StateIn):
    """Send for legality review; a new review round starts today."""
    with _acting_on(request, record_id, body.expected_state) as document:
        services.review_submit(actor=request.user, document=document)
    return _out(request, document.pk)


def _record_review(request, record_id: str, body: PassReviewIn, opinion: str) -> dict:
    with _acting_on(request, record_id, body.expected_state) as document:
        services.review_record(
            actor=request.user,
            document=document,
            checklist=body.checklist.model_dump(),
            opinion=opinion,
            report=body.report,
            adviser_opinion=body.adviser_opinion,
        )
    return _out(request, document.pk)


@router.post(f"{ACTIONS}/pass_review", response=RecordOut, url_name="documents_pass_review")
def pass_review(request, record_id: str, body: PassReviewIn):
    """The legal office's opinion "通过" with every checklist point and the review report."""
    return _record_review(request, record_id, body, "pass")


@router.post(
    f"{ACTIONS}/return_from_review", response=RecordOut, url_name="documents_return_review"
)
def return_from_review(request, record_id: str, body: ReturnReviewIn):
    """The legal office's opinion "修改后通过" or "不通过": back to drafting with the report."""
    return _record_review(request, record_id, body, body.opinion)


@router.post(f"{ACTIONS}/record_decision", response=RecordOut, url_name="documents_decision")
def record_decision(request, record_id: str, body: DecisionIn):
    """The meeting's decision (集体讨论决定); not adopted ends the making."""
    with _acting_on(request, record_id, body.expected_state) as document:
        services.decision_record(
            actor=request.user,
            document=document,
            meeting=body.meeting,
            meeting_date=body.meeting_date,
            attendees=body.attendees,
            adopted=body.adopted,
            decision=body.decision,
        )
    return _out(request, document.pk)


@router.post(f"{ACTIONS}/issue", response=RecordOut, url_name="documents_issue")
def issue(request, record_id: str, body: IssueIn):
    """Register, number and publish (统一登记、统一编号、统一公布)."""
    with _acting_on(request, record_id, body.expected_state) as document:
        services.document_issue(
            actor=request.user,
            document=document,
            published_on=body.published_on,
            effective_on=body.effective_on,
            valid_until=body.valid_until,
            interpretation=body.interpretation,
            validity_reason=body.validity_reason,
        )
    return _out(request, document.pk)


@router.post(f"{COLLECTION}/{{record_id}}/filing", response=FilingOut, url_name="documents_filing")
def filing_record(request, record_id: str, body: FilingIn):
    """Record that the issued document was sent for filing (备案), and later the answer."""
    with _acting_on(request, record_id) as document:
        filing = services.filing_record(
            actor=request.user,
            document=document,
            outcome=body.outcome,
            filed_on=body.filed_on,
            note=body.note,
        )
    return _filing_out(filing)


def _before_generic_actions() -> None:
    """Django tries URL patterns in order and the generic `/actions/{action}` pattern was added
    first (fazhi/rules/api/__init__.py): move the concrete action routes in front of it."""
    operations = router.path_operations
    concrete = [p for p in operations if p.startswith(f"{ACTIONS}/") and "{action}" not in p]
    reordered = {p: operations[p] for p in concrete}
    reordered.update((p, v) for p, v in operations.items() if p not in reordered)
    operations.clear()
    operations.update(reordered)


_before_generic_actions()
