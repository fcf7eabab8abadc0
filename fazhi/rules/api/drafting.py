"""Drafting and review extras through the API, on the rules router (design "API conventions").

- `POST /documents/{id}/versions/upload` (multipart `file`, `note`): a Word draft as a version;
- `GET  /documents/{id}/versions/compare?a=1&b=3`: two versions side by side, as JSON;
- `GET  /documents/{id}/countersign`: the 会签 rounds with each department's opinion;
- `POST /documents/{id}/countersign`: ask departments for their opinion before consultation;
- `POST /documents/{id}/countersign/opinions/{opinion_id}`: a department's opinion;
- `POST /documents/{id}/adviser/request`: the legal office asks a legal adviser;
- `POST /documents/{id}/adviser/answer` (multipart `opinion`, optional `file`): the answer.

The same services and permission checks as the staff pages; errors in the shape of
fazhi.api.api (403 role may not, 404 not visible, 409 state or gate, 422 bad input).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Text
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Department
from fazhi.core.tenancy import access
from fazhi.rules import diff, drafting, selectors
from fazhi.rules.api import router
from fazhi.rules.services import drafting as services

DOCUMENT = "/documents/{record_id}"


# --- Schemas -----------------------------------------------------------------------------


class FileRef(Schema):
    id: str
    name: str
    download_url: str


class UploadedVersionOut(Schema):
    number: int
    note: str
    created_by: str
    created_at: dt.datetime
    characters: int
    source_file: FileRef


class CompareQuery(Schema):
    # Text, parsed here: a number that is not one gets a Chinese 422, not a schema error.
    a: str = ""
    b: str = ""


class DiffRowOut(Schema):
    kind: str
    left: str
    right: str
    # For "changed" rows: [["same" | "del", text], ...] and [["same" | "ins", text], ...].
    left_segments: list[tuple[str, str]]
    right_segments: list[tuple[str, str]]


class CompareOut(Schema):
    a: int
    b: int
    changed: int
    added: int
    removed: int
    rows: list[DiffRowOut]


class CountersignIn(ApiIn):
    departments: list[Text] = Field(
        ..., min_length=1, max_length=50, title="会签科室", description="科室 id"
    )
    workdays: int = Field(5, ge=1, le=services.COUNTERSIGN_MAX_WORKDAYS, title="会签期限（工作日）")
    subject: Text = Field("", max_length=200, title="会签事项")


class OpinionIn(ApiIn):
    agree: bool = Field(..., title="是否同意")
    comment: Text = Field("", max_length=services.COMMENT_MAX, title="意见说明")


class OpinionOut(Schema):
    id: str
    department: str
    opinion: str
    opinion_label: str
    comment: str
    decided_by: str | None
    decided_at: dt.datetime | None


class CountersignOut(Schema):
    id: str
    subject: str
    state: str
    mode: str
    outcome: str
    outcome_label: str
    due_on: dt.date | None
    opened_at: dt.datetime
    opinions: list[OpinionOut]


class AdviserRequestIn(ApiIn):
    adviser: Text = Field(..., max_length=150, title="法律顾问", description="法律顾问的用户名")
    question: Text = Field(
        ..., min_length=1, max_length=services.COMMENT_MAX, title="征求意见的事项"
    )


class AdviserOut(Schema):
    review: str
    adviser: str | None
    question: str
    requested_at: dt.datetime | None
    due_on: dt.date | None
    opinion: str
    answered_at: dt.datetime | None
    file: FileRef | None


# --- Helpers -----------------------------------------------------------------------------


def _document(request: HttpRequest, record_id: str, *, write: bool = False):
    """The document if the caller may open it (the page's rule): 404 outside their agencies,
    403 for roles without documents work and for an adviser who is not (or no longer) asked."""
    document = access(request.user, selectors.documents_for(request.user), record_id, write=write)
    if not drafting.may_open(request.user, document):
        raise PermissionDenied
    return document


def _name(user) -> str:
    return user.display_name or user.get_username()


def _file_ref(stored) -> dict | None:
    if stored is None:
        return None
    return {
        "id": str(stored.pk),
        "name": stored.original_name,
        "download_url": reverse("files:download", args=[stored.pk]),
    }


def _round_out(round_) -> dict:
    return {
        "id": str(round_.pk),
        "subject": round_.subject,
        "state": round_.state,
        "mode": round_.mode,
        "outcome": round_.outcome,
        "outcome_label": str(round_.get_outcome_display()),
        "due_on": round_.due_on,
        "opened_at": round_.opened_at,
        "opinions": [
            {
                "id": str(opinion.pk),
                "department": opinion.department.name,
                "opinion": opinion.opinion,
                "opinion_label": str(opinion.get_opinion_display()),
                "comment": opinion.comment,
                "decided_by": _name(opinion.decided_by) if opinion.decided_by else None,
                "decided_at": opinion.decided_at,
            }
            for opinion in round_.opinions.all()
        ],
    }


def _adviser_out(review) -> dict:
    return {
        "review": str(review.pk),
        "adviser": review.adviser.get_username() if review.adviser_id else None,
        "question": review.adviser_question,
        "requested_at": review.adviser_requested_at,
        "due_on": review.adviser_due_on,
        "opinion": review.adviser_opinion if review.adviser_answered_at else "",
        "answered_at": review.adviser_answered_at,
        "file": _file_ref(review.adviser_file),
    }


def _is_id(raw: str, digits: int = 12) -> bool:
    # ASCII only: "²" and "٣" pass str.isdigit() yet are no number int() reads as an id.
    return raw.isascii() and raw.isdigit() and len(raw) <= digits


def _fresh_round(document, round_):
    """The round as stored now, with its opinions and who gave them."""
    return {r.pk: r for r in drafting.countersign_rounds(document)}.get(round_.pk, round_)


def _number(raw: str, label: str) -> int:
    raw = raw.strip()
    if not _is_id(raw, 9):
        raise InvalidInput(
            _("%(label)s须为正整数的版本号。") % {"label": label}, code="version_invalid"
        )
    return int(raw)


# --- Routes ------------------------------------------------------------------------------


@router.post(
    f"{DOCUMENT}/versions/upload",
    response={201: UploadedVersionOut},
    url_name="documents_version_upload",
    summary="上传 Word 稿为新版本",
)
def version_upload(
    request: HttpRequest, record_id: str, file: File[UploadedFile], note: Form[str] = ""
):
    """The text is extracted from the .docx (paragraphs and tables in order); the file is kept
    as the version's original. Disguised, macro-bearing, oversized or textless files: 422."""
    document = _document(request, record_id, write=True)
    version = services.document_upload_version(
        actor=request.user, document=document, upload=file, note=note[:200]
    )
    return Status(
        201,
        {
            "number": version.number,
            "note": version.note,
            "created_by": _name(version.created_by),
            "created_at": version.created_at,
            "characters": len(version.text),
            "source_file": _file_ref(version.source_file),
        },
    )


@router.get(
    f"{DOCUMENT}/versions/compare",
    response=CompareOut,
    url_name="documents_version_compare",
    summary="对比两个版本",
)
def version_compare(request: HttpRequest, record_id: str, query: Query[CompareQuery]):
    """Version `a` on the left, `b` on the right; a version that does not exist answers 404."""
    document = _document(request, record_id)
    first = _number(query.a, "a")
    second = _number(query.b, "b")
    if first == second:
        raise InvalidInput(_("请选择两个不同的版本进行比较。"), code="version_same")
    try:
        rows = diff.compare_versions(document, first, second)
    except InvalidInput as exc:
        if exc.code == "version_missing":
            raise Http404 from exc
        raise
    counts = diff.summary(rows)
    return {
        "a": first,
        "b": second,
        **counts,
        "rows": [
            {
                "kind": row.kind,
                "left": row.left,
                "right": row.right,
                "left_segments": list(row.left_segments),
                "right_segments": list(row.right_segments),
            }
            for row in rows
        ],
    }


@router.get(
    f"{DOCUMENT}/countersign",
    response=list[CountersignOut],
    url_name="documents_countersign_list",
    summary="会签记录",
)
def countersign_list(request: HttpRequest, record_id: str):
    return [_round_out(r) for r in drafting.countersign_rounds(_document(request, record_id))]


@router.post(
    f"{DOCUMENT}/countersign",
    response={201: CountersignOut},
    url_name="documents_countersign_open",
    summary="发起会签",
)
def countersign_open(request: HttpRequest, record_id: str, body: CountersignIn):
    """Ask other departments of the agency to agree before the draft is published for comments
    (all must agree); due `workdays` working days from today."""
    document = _document(request, record_id, write=True)
    ids = {int(d.strip()) for d in body.departments if _is_id(d.strip())}
    departments = list(Department.objects.filter(pk__in=ids, agency_id=document.agency_id))
    if not all(_is_id(d.strip()) for d in body.departments) or len(departments) != len(ids):
        raise InvalidInput(_("会签科室不存在或不属于本机关。"), code="countersign_departments")
    round_ = services.document_countersign_open(
        actor=request.user,
        document=document,
        departments=departments,
        workdays=body.workdays,
        subject=body.subject,
    )
    return Status(201, _round_out(_fresh_round(document, round_)))


@router.post(
    f"{DOCUMENT}/countersign/opinions/{{opinion_id}}",
    response=CountersignOut,
    url_name="documents_countersign_opine",
    summary="签署会签意见",
)
def countersign_opine(request: HttpRequest, record_id: str, opinion_id: str, body: OpinionIn):
    document = _document(request, record_id, write=True)
    if not _is_id(opinion_id):
        raise Http404
    round_ = services.document_countersign_opine(
        actor=request.user,
        document=document,
        opinion_id=int(opinion_id),
        agree=body.agree,
        comment=body.comment,
    )
    return _round_out(_fresh_round(document, round_))


@router.post(
    f"{DOCUMENT}/adviser/request",
    response=AdviserOut,
    url_name="documents_adviser_request",
    summary="征求法律顾问意见",
)
def adviser_request(request: HttpRequest, record_id: str, body: AdviserRequestIn):
    document = _document(request, record_id, write=True)
    # Anyone but a legal adviser of the agency is refused by the service with the same words.
    adviser = drafting.adviser_candidates(document).filter(username=body.adviser).first()
    review = services.review_adviser_request(
        actor=request.user, document=document, adviser=adviser, question=body.question
    )
    return _adviser_out(review)


@router.post(
    f"{DOCUMENT}/adviser/answer",
    response=AdviserOut,
    url_name="documents_adviser_answer",
    summary="出具法律顾问意见",
)
def adviser_answer(
    request: HttpRequest,
    record_id: str,
    opinion: Form[str],
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's way to declare a file part
):
    """Only the asked adviser, once, while the review runs; an optional PDF/DOCX attachment."""
    document = _document(request, record_id, write=True)
    review = services.review_adviser_answer(
        actor=request.user, document=document, opinion=opinion, upload=file
    )
    return _adviser_out(review)
