"""Drafting and review extras: a Word draft uploaded as a new version, departments' parallel
opinions (会签) before consultation, and the legal adviser's opinion during the legality review.

Each service locks the document, checks permission and state, writes, records its audit event
and queues its notices in one transaction; a refusal leaves nothing behind.
"""

from __future__ import annotations

import tempfile

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings, workflow
from fazhi.core.calendar import add_workdays
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.files import detection
from fazhi.core.files.conf import MB
from fazhi.core.files.names import clean_name, extension_of
from fazhi.core.files.services import file_store
from fazhi.core.files.uses import get_use
from fazhi.core.models import Countersign, CountersignOpinion, Membership
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role
from fazhi.rules import gates
from fazhi.rules.docx_import import extract_text
from fazhi.rules.drafting import (
    ADVISER_USE,
    DRAFT_USE,
    SIGNING_ROLES,
    TARGET_TYPE,
    signing_departments,
)
from fazhi.rules.models import DocumentVersion, LegalityReview, NormativeDocument
from fazhi.rules.services import _event, _lock, _require, _require_state

State = NormativeDocument.State

COUNTERSIGN_MAX_WORKDAYS = 20
COMMENT_MAX = 2000
OPINION_MAX = 10_000
CHUNK = 64 * 1024


def _detail_url(document) -> str:
    return reverse("rules:detail", args=[document.pk])


def _next_number(document) -> int:
    latest = document.versions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


# --- A Word draft as a new version -------------------------------------------------------


def document_upload_version(*, actor, document, upload, note: str = "") -> DocumentVersion:
    """Store an uploaded .docx as the original of a new version whose text is extracted from it.

    The file is checked (size, type from the bytes, macros, zip bombs) and its text extracted
    before anything is written, so a disguised, oversized or empty file leaves no row, no
    stored content and no version; `file_store` then checks it again, scans it and stores it.
    """
    _require(actor, "normative.draft_document", document)
    _require_state(document, State.DRAFTING)
    use = get_use(DRAFT_USE)
    name = clean_name(getattr(upload, "name", "") or "")
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > use.max_bytes:
        raise _too_large(use)
    with tempfile.SpooledTemporaryFile(max_size=MB) as copy:
        _copy_bounded(upload, copy, use)
        kind = detection.detect(copy, extension=extension_of(name))
        if kind.key not in use.allowed_types:
            raise InvalidInput(
                _("草案只接受 Word 文档（.docx），此文件是 %(found)s。") % {"found": kind.label},
                code="file_type_not_allowed",
            )
        text = extract_text(copy)
        copy.seek(0)
        with transaction.atomic():
            locked = _lock(document)
            _require(actor, "normative.draft_document", locked)
            _require_state(locked, State.DRAFTING)
            stored = file_store(
                actor=actor, agency=locked.agency, upload=copy, purpose=DRAFT_USE, name=name
            )
            number = _next_number(locked)
            version = DocumentVersion.objects.create(
                document=locked,
                number=number,
                text=text,
                note=note.strip()[:200],
                source_file=stored,
                created_by=actor,
            )
            _event(
                "document.upload",
                actor=actor,
                document=locked,
                version=number,
                file=stored.pk,
                name=stored.original_name,
                note=version.note,
            )
    return version


def _too_large(use) -> InvalidInput:
    return InvalidInput(
        _("文件超过“%(use)s”允许的大小上限 %(max)s，请压缩或拆分后重新上传。")
        % {"use": use.label, "max": use.max_size_text()},
        code="file_too_large",
    )


def _copy_bounded(upload, target, use) -> None:
    """Copy the upload, refusing as soon as it passes the use's limit (declared sizes lie)."""
    size = 0
    chunks = (
        upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b"")
    )
    for chunk in chunks:
        if not isinstance(chunk, bytes | bytearray):
            raise InvalidInput(_("上传的内容不是文件。"), code="file_not_binary")
        size += len(chunk)
        if size > use.max_bytes:
            raise _too_large(use)
        target.write(chunk)
    if size == 0:
        raise InvalidInput(_("文件是空的（0 字节），请选择正确的文件。"), code="file_empty")
    target.seek(0)


# --- 会签 before consultation --------------------------------------------------------------


def _signing_memberships(departments) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(department__in=departments, role__in=SIGNING_ROLES, user__is_active=True)
        .select_related("user")
    )


def document_countersign_open(
    *, actor, document, departments, workdays: int = 5, subject: str = ""
) -> Countersign:
    """Ask other departments of the agency to agree to the draft (all must agree) before it is
    published for comments; the due date is `workdays` working days from today."""
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        raise InvalidInput(_("请至少选择一个会签科室。"), code="countersign_departments")
    if not 1 <= int(workdays) <= COUNTERSIGN_MAX_WORKDAYS:
        raise InvalidInput(
            _("会签期限须为 1 至 %(max)d 个工作日。") % {"max": COUNTERSIGN_MAX_WORKDAYS},
            code="countersign_workdays",
        )
    subject = subject.strip()
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.draft_document", locked)
        _require_state(locked, State.DRAFTING)
        if any(d.agency_id != locked.agency_id for d in departments):
            raise InvalidInput(_("会签科室须属于本机关。"), code="countersign_departments")
        if any(d.pk == locked.department_id for d in departments):
            raise InvalidInput(_("起草科室本身不需要会签。"), code="countersign_own_department")
        signing = _signing_memberships(departments)
        covered = {m.department_id for m in signing}
        without = [d.name for d in departments if d.pk not in covered]
        if without:
            raise InvalidInput(
                _("%(names)s没有科室负责人或联络员，无人能签署会签意见。")
                % {"names": "、".join(without)},
                code="countersign_no_signer",
            )
        round_ = workflow.countersign_open(
            locked,
            actor=actor,
            departments=departments,
            mode=Countersign.Mode.ALL,
            subject=subject or str(_("会签：%(title)s") % {"title": locked.title}),
            due_on=add_workdays(timezone.localdate(), int(workdays)),
        )
        notify(
            recipients=[m.user for m in signing],
            kind="normative_countersign",
            title=str(_("请签署会签意见：%(title)s") % {"title": locked.title})[:200],
            url=_detail_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return round_


def document_countersign_opine(
    *, actor, document, opinion_id, agree: bool, comment: str = ""
) -> Countersign:
    """A head or liaison gives their department's opinion (同意, or 不同意 with a reason)."""
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(
            _("意见说明不能超过 %(max)d 字。") % {"max": COMMENT_MAX}, code="comment_too_long"
        )
    with transaction.atomic():
        locked = _lock(document)
        opinion = (
            CountersignOpinion.objects.select_related("countersign", "department")
            .filter(
                pk=opinion_id,
                countersign__target_type=TARGET_TYPE,
                countersign__target_id=str(locked.pk),
            )
            .first()
        )
        if opinion is None:
            raise Http404
        if opinion.department_id not in signing_departments(actor, locked.agency_id):
            raise NotAllowed(_("只有该科室负责人或联络员可以签署意见。"), code="not_department")
        round_ = opinion.countersign
        if locked.state != State.DRAFTING or round_.state != locked.state:
            raise Conflict(_("文件已不在起草环节，不能再签署会签意见。"), code="countersign_closed")
        was_pending = round_.outcome == Countersign.Outcome.PENDING
        round_ = workflow.countersign_opine(opinion, actor=actor, agree=agree, comment=comment)
        if was_pending and round_.outcome != Countersign.Outcome.PENDING:
            notify(
                recipients=[round_.opened_by],
                kind="normative_countersign_done",
                title=str(
                    _("会签结果（%(outcome)s）：%(title)s")
                    % {"outcome": round_.get_outcome_display(), "title": locked.title}
                )[:200],
                url=_detail_url(locked),
                target=locked,
                agency=locked.agency,
            )
    return round_


# --- The legal adviser's opinion -----------------------------------------------------------


def _locked_latest_review(document) -> LegalityReview:
    review = gates.latest_review(document)
    if review is None:  # a document in review always has one (review_submit creates it)
        raise Conflict(_("尚未受理合法性审核。"), code="review_missing")
    return LegalityReview.objects.select_for_update().get(pk=review.pk)


def review_adviser_request(*, actor, document, adviser, question: str) -> LegalityReview:
    """The legal office asks a legal adviser of the agency for an opinion on the draft; the
    opinion is due `rules.adviser_opinion_workdays` working days from today. One request per
    round of review."""
    question = question.strip()
    if not question:
        raise InvalidInput(_("请写明征求意见的事项。"), code="question_required")
    if len(question) > COMMENT_MAX:
        raise InvalidInput(
            _("征求意见的事项不能超过 %(max)d 字。") % {"max": COMMENT_MAX},
            code="question_too_long",
        )
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.review_document", locked)
        _require_state(locked, State.REVIEW)
        if adviser is None or not (
            adviser.is_active and has_role(adviser, Role.LEGAL_ADVISER, agency_id=locked.agency_id)
        ):
            raise InvalidInput(_("所选人员不是本机关的法律顾问。"), code="adviser_invalid")
        review = _locked_latest_review(locked)
        if review.adviser_requested_at is not None:
            if review.adviser_answered_at is None:
                raise Conflict(
                    _("本轮审核已向法律顾问征求意见，尚未答复。"), code="adviser_request_open"
                )
            raise Conflict(_("本轮审核已收到法律顾问意见。"), code="adviser_already_answered")
        workdays = agency_settings.get(locked.agency_id, "rules.adviser_opinion_workdays")
        review.adviser = adviser
        review.adviser_question = question
        review.adviser_requested_at = timezone.now()
        review.adviser_due_on = add_workdays(timezone.localdate(), workdays)
        review.save(
            update_fields=["adviser", "adviser_question", "adviser_requested_at", "adviser_due_on"]
        )
        _event(
            "adviser.request",
            actor=actor,
            document=locked,
            review=review.pk,
            adviser=adviser.pk,
            adviser_name=str(adviser),
            due_on=review.adviser_due_on.isoformat(),
            comment=question,
        )
        notify(
            recipients=[adviser],
            kind="normative_adviser_request",
            title=str(_("请出具法律顾问意见：%(title)s") % {"title": locked.title})[:200],
            body=question,
            url=_detail_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return review


def review_adviser_answer(*, actor, document, opinion: str, upload=None) -> LegalityReview:
    """The asked adviser answers once, with text and an optional PDF/DOCX; the answer becomes
    part of the legality review record."""
    opinion = opinion.strip()
    with transaction.atomic():
        locked = _lock(document)
        review = gates.latest_review(locked)
        if (
            review is not None
            and review.adviser_id == actor.pk
            and review.adviser_answered_at is not None
            and locked.state == State.REVIEW
        ):
            raise Conflict(_("您已出具过意见，不能重复答复。"), code="adviser_already_answered")
        if not actor.has_perm("normative.answer_adviser", locked):
            raise NotAllowed(
                _("只有被征求意见的法律顾问可以在审核期间答复。"), code="not_asked_adviser"
            )
        if not opinion:
            raise InvalidInput(_("请填写法律顾问意见。"), code="opinion_required")
        if len(opinion) > OPINION_MAX:
            raise InvalidInput(
                _("法律顾问意见不能超过 %(max)d 字，较长的意见请作为附件上传。")
                % {"max": OPINION_MAX},
                code="opinion_too_long",
            )
        review = _locked_latest_review(locked)
        stored = None
        if upload is not None:
            stored = file_store(
                actor=actor, agency=locked.agency, upload=upload, purpose=ADVISER_USE
            )
        review.adviser_opinion = opinion
        review.adviser_file = stored
        review.adviser_answered_at = timezone.now()
        review.save(update_fields=["adviser_opinion", "adviser_file", "adviser_answered_at"])
        _event(
            "adviser.answer",
            actor=actor,
            document=locked,
            review=review.pk,
            file=stored.pk if stored else None,
            comment=opinion[:500],
        )
        officers = [
            m.user
            for m in Membership.objects.active()
            .filter(agency_id=locked.agency_id, role=Role.LEGAL_OFFICER)
            .select_related("user")
        ]
        notify(
            recipients=officers,
            kind="normative_adviser_answer",
            title=str(_("法律顾问已出具意见：%(title)s") % {"title": locked.title})[:200],
            url=_detail_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return review
