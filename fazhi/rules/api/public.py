"""Public (no login) normative-document endpoints: what the portal shows, for integrators.

Mounted at `/api/public/rules/` (fazhi.api.api) with `auth=None`. Only published data
leaves here: issued documents (a draft answers 404 like a missing id), open consultations,
published adoption reports with counts — never a commenter's name or phone. Query parameters
arrive as text and are parsed here, so every mistake gets a Chinese message and a stable code
(422); lists use the cursor pagination of fazhi.api.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from fazhi.api.pagination import MAX_LIMIT, paginate
from fazhi.core import ratelimit
from fazhi.core.errors import DomainError, InvalidInput
from fazhi.rules import selectors, services
from fazhi.rules.models import Consultation
from fazhi.rules.selectors import LibraryFilters
from fazhi.rules.status import Badge

public_router = Router(auth=None, tags=["public: rules"])


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = gettext_lazy("提交过于频繁，请稍后再试。")


# --- Schemas -----------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict | list | None = None


class DocumentQuery(Schema):
    q: str = Field("", description="关键词（全文检索）")
    status: str = Field(
        "",
        description="current（默认：有效和即将到期）、all、in_force、expiring、expired、"
        "repealed、revised",
    )
    year: str = Field("", description="公布年份，如 2026")
    department: str = Field("", description="起草部门编号")
    kind: str = Field("", description="normative、interim、trial、notice")
    agency: str = Field("", description="机关代码")
    cursor: str = ""
    limit: str = ""


class PageQuery(Schema):
    cursor: str = ""
    limit: str = ""


class DocumentRow(Schema):
    id: str
    doc_number: str
    title: str
    kind: str
    kind_label: str
    agency: str
    agency_code: str
    department: str
    published_on: dt.date
    effective_on: dt.date | None
    valid_until: dt.date | None
    status: str
    status_label: str
    url: str


class DocumentPage(Schema):
    items: list[DocumentRow]
    next_cursor: str | None


class FamilyOut(Schema):
    relation: str = Field(
        ...,
        description="revises / repeals / based_on（本文件修订、废止、依据的文件）；"
        "revised_by / repealed_by / basis_for（修订、废止本文件或以其为依据的文件）",
    )
    label: str
    documents: list[DocumentRow]


class StageOut(Schema):
    key: str
    label: str
    on: dt.date | None
    until: dt.date | None
    detail: str
    adoption_report_id: str | None


class DocumentOut(DocumentRow):
    text: str
    interpretation: str
    exemption_ground: str
    ended_on: dt.date | None
    ended_as: str
    ended_basis: str
    family: list[FamilyOut]
    stages: list[StageOut]


class ConsultationOut(Schema):
    id: str
    title: str
    agency: str
    department: str
    opens_on: dt.date
    closes_on: dt.date
    rule: str
    drafting_note: str
    text: str
    url: str


class ConsultationPage(Schema):
    items: list[ConsultationOut]
    next_cursor: str | None


class ReportOut(Schema):
    id: str
    title: str
    agency: str
    department: str
    opens_on: dt.date
    closes_on: dt.date
    report: str
    report_published_at: dt.datetime
    comment_count: int
    adopted_count: int
    partly_count: int
    not_adopted_count: int
    document_id: str | None = Field(None, description="文件已公布时为其编号")
    url: str


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


class CommentIn(Schema):
    text: str = Field(..., max_length=5000, title="意见内容")
    name: str = Field(..., max_length=50, title="姓名")
    phone: str = Field(..., max_length=20, title="手机号码")
    token: str = Field(..., max_length=64, title="一次性令牌", description="16–64 个字符")
    article: int | None = Field(None, ge=1, le=9999, title="针对条款")


class CommentAck(Schema):
    received: bool
    submitted_at: dt.datetime


ERRORS = {404: ErrorOut, 422: ErrorOut}


# --- Helpers -----------------------------------------------------------------------------------


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInput(
            _("每页条数须在 1 至 %(max)d 之间。") % {"max": MAX_LIMIT}, code="bad_limit"
        )
    return int(text)


def _filters(query: DocumentQuery) -> LibraryFilters:
    filters = LibraryFilters.parse(query.dict())
    if filters.invalid:
        raise InvalidInput(
            _("筛选条件无法识别：%(names)s。") % {"names": "、".join(filters.invalid)},
            code="bad_filter",
            fields=list(filters.invalid),
        )
    return filters


def _row(document) -> dict:
    badge = Badge(document.public_status)
    return {
        "id": str(document.pk),
        "doc_number": document.doc_number.text,
        "title": document.title,
        "kind": document.kind,
        "kind_label": str(document.get_kind_display()),
        "agency": document.agency.name,
        "agency_code": document.agency.code,
        "department": document.department.name,
        "published_on": document.published_on,
        "effective_on": document.effective_on,
        "valid_until": document.valid_until,
        "status": badge.value,
        "status_label": str(badge.label),
        "url": reverse("rules_public:document", args=[document.pk]),
    }


def _consultation_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise Http404
    return int(raw)


# --- Routes ------------------------------------------------------------------------------------


@public_router.get(
    "/documents/", response={200: DocumentPage, **ERRORS}, summary="已公布的规范性文件"
)
def document_list(request, query: Query[DocumentQuery]):
    """Published documents, in force by default (有效、即将到期), newest first; the same
    filters and full-text search as the portal's library."""
    filters = _filters(query)
    today = timezone.localdate()
    documents = selectors.library(filters, today)
    if filters.q:
        matches, _truncated = selectors.library_matches(filters, today)
        documents = documents.filter(pk__in=[document.pk for document, _hit in matches])
    page = paginate(documents, cursor=query.cursor or None, limit=_limit(query.limit))
    return {"items": [_row(d) for d in page["items"]], "next_cursor": page["next_cursor"]}


@public_router.get(
    "/documents/{document_id}", response={200: DocumentOut, **ERRORS}, summary="一件已公布的文件"
)
def document_detail(request, document_id: str):
    """The document with its family (published documents only) and public stages."""
    today = timezone.localdate()
    digits = document_id.isascii() and document_id.isdigit()
    document = selectors.public_document(document_id, today) if digits else None
    if document is None:
        raise Http404
    version = document.versions.order_by("-number").first()
    return {
        **_row(document),
        "text": version.text if version else "",
        "interpretation": document.interpretation,
        "exemption_ground": document.exemption_ground,
        "ended_on": document.ended_on,
        "ended_as": document.ended_as,
        "ended_basis": document.ended_basis,
        "family": [
            {
                "relation": group.key,
                "label": group.label,
                "documents": [_row(d) for d in group.documents],
            }
            for group in selectors.family(document, today)
        ],
        "stages": [
            {
                "key": stage.key,
                "label": stage.label,
                "on": stage.on,
                "until": stage.until,
                "detail": stage.detail,
                "adoption_report_id": str(stage.consultation_id) if stage.consultation_id else None,
            }
            for stage in selectors.public_stages(document)
        ],
    }


@public_router.get(
    "/consultations/", response={200: ConsultationPage, **ERRORS}, summary="正在征求意见的草案"
)
def consultation_list(request, query: Query[PageQuery]):
    """Drafts open for comments today, with the drafting note and the draft text."""
    page = paginate(
        selectors.open_consultations(timezone.localdate()).prefetch_related("document__versions"),
        cursor=query.cursor or None,
        limit=_limit(query.limit),
    )
    items = []
    for consultation in page["items"]:
        document = consultation.document
        versions = sorted(document.versions.all(), key=lambda v: v.number)
        items.append(
            {
                "id": str(consultation.pk),
                "title": document.title,
                "agency": document.agency.name,
                "department": document.department.name,
                "opens_on": consultation.opens_on,
                "closes_on": consultation.closes_on,
                "rule": consultation.rule,
                "drafting_note": document.drafting_note,
                "text": versions[-1].text if versions else "",
                "url": reverse("rules_public:consultation", args=[consultation.pk]),
            }
        )
    return {"items": items, "next_cursor": page["next_cursor"]}


@public_router.post(
    "/consultations/{consultation_id}/comments",
    response={201: CommentAck, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="对征求意见稿提出意见",
)
def comment_submit(request, consultation_id: str, body: CommentIn):
    """A citizen's comment. Name and phone are for contact only and are never published; the
    same `token` submitted twice makes one comment. Rate-limited per client address."""
    consultation = (
        Consultation.objects.filter(pk=_consultation_id(consultation_id))
        .exclude(document__state="drafting")
        .select_related("document")
        .first()
    )
    if consultation is None:
        raise Http404
    if not ratelimit.hit(request, "public_form"):
        raise RateLimited()
    comment = services.comment_submit(
        consultation=consultation,
        text=body.text,
        name=body.name,
        phone=body.phone,
        idempotency_key=body.token,
        article=body.article,
    )
    return Status(201, {"received": True, "submitted_at": comment.submitted_at})


@public_router.get(
    "/adoption-reports/", response={200: ReportPage, **ERRORS}, summary="意见采纳情况说明"
)
def report_list(request, query: Query[PageQuery]):
    """Published adoption reports with how many comments were adopted, partly or not."""
    page = paginate(
        selectors.adoption_reports(), cursor=query.cursor or None, limit=_limit(query.limit)
    )
    items = []
    for consultation in page["items"]:
        document = consultation.document
        items.append(
            {
                "id": str(consultation.pk),
                "title": document.title,
                "agency": document.agency.name,
                "department": document.department.name,
                "opens_on": consultation.opens_on,
                "closes_on": consultation.closes_on,
                "report": consultation.report,
                "report_published_at": consultation.report_published_at,
                "comment_count": consultation.comment_count,
                "adopted_count": consultation.adopted_count,
                "partly_count": consultation.partly_count,
                "not_adopted_count": consultation.not_adopted_count,
                "document_id": str(document.pk) if document.state == "issued" else None,
                "url": reverse("rules_public:consultation", args=[consultation.pk]),
            }
        )
    return {"items": items, "next_cursor": page["next_cursor"]}


def _mount_cleanups() -> None:
    # The published cleanup results live with the cleanup code; they join the public rules API.
    from fazhi.rules.api.aftercare import public_router as cleanups

    public_router.add_router("/cleanups", cleanups)


_mount_cleanups()
