"""Every change to a normative document, each in one transaction with its audit event.

The state changes go through core.workflow.perform, whose guards are the gates of gates.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings, audit, workflow
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.identity.validators import validate_mobile
from fazhi.core.numbering import number_allocate
from fazhi.rules import gates
from fazhi.rules.models import (
    CollectiveDecision,
    Consultation,
    DocumentVersion,
    Filing,
    LegalityReview,
    NormativeDocument,
    PublicComment,
)

State = NormativeDocument.State


def _lock(document: NormativeDocument) -> NormativeDocument:
    return NormativeDocument.objects.select_for_update().get(pk=document.pk)


def _require(actor, perm: str, document) -> None:
    if not actor.has_perm(perm, document):
        raise NotAllowed()


def _require_state(document, *states) -> None:
    if document.state not in states:
        raise Conflict(
            _("文件当前为“%(state)s”，不能进行此操作。") % {"state": document.get_state_display()},
            code="state_changed",
        )


def _event(verb: str, *, actor, document, **data) -> None:
    audit.record(
        f"normative.{verb}",
        actor=actor,
        agency=document.agency,
        target=document,
        from_state=document.state,
        to_state=document.state,
        data=data,
    )


# --- Drafting --------------------------------------------------------------------------------


def document_create(
    *,
    actor,
    agency,
    department,
    title: str,
    text: str,
    kind: str = "normative",
    legal_basis: str = "",
    drafting_note: str = "",
    market_related: bool = False,
    major_rights: bool = True,
    planned_validity_years: int = 5,
) -> NormativeDocument:
    if department.agency_id != agency.pk:
        raise InvalidInput(_("起草科室不属于本机关。"), code="department_agency")
    if not title.strip():
        raise InvalidInput(_("请填写标题。"), code="title_required")
    if not text.strip():
        raise InvalidInput(_("请填写正文。"), code="text_required")
    document = NormativeDocument(
        agency=agency,
        department=department,
        title=title.strip(),
        kind=kind,
        legal_basis=legal_basis,
        drafting_note=drafting_note,
        market_related=market_related,
        major_rights=major_rights,
        planned_validity_years=planned_validity_years,
        created_by=actor,
        assignee=actor,
    )
    _require(actor, "normative.draft_document", document)
    with transaction.atomic():
        document.save()
        DocumentVersion.objects.create(document=document, number=1, text=text, created_by=actor)
        _event("document.create", actor=actor, document=document, title=document.title)
    return document


def document_save_version(*, actor, document, text: str, note: str = "") -> DocumentVersion:
    if not text.strip():
        raise InvalidInput(_("请填写正文。"), code="text_required")
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.draft_document", locked)
        _require_state(locked, State.DRAFTING)
        number = (
            locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        version = DocumentVersion.objects.create(
            document=locked, number=number, text=text, note=note[:200], created_by=actor
        )
        _event("document.version", actor=actor, document=locked, version=number, note=note[:200])
    return version


def exemption_approve(*, actor, document, ground: str) -> NormativeDocument:
    """The legal office approves skipping consultation on a stated legal ground (shown publicly)."""
    if not ground.strip():
        raise InvalidInput(_("请写明不征求意见的法定理由。"), code="ground_required")
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.review_document", locked)
        _require_state(locked, State.DRAFTING)
        locked.exemption_ground = ground.strip()
        locked.exemption_approved_by = actor
        locked.exemption_approved_at = timezone.now()
        locked.save(
            update_fields=["exemption_ground", "exemption_approved_by", "exemption_approved_at"]
        )
        _event("consultation.exempt", actor=actor, document=locked, ground=locked.exemption_ground)
    return locked


# --- Consultation ----------------------------------------------------------------------------


def consultation_open(*, actor, document, opens_on: date, closes_on: date) -> Consultation:
    """Publish the draft for comments for a period no shorter than the rule."""
    workdays, days = gates.consultation_rule(document)
    rule = "；".join(
        part
        for part in (
            _("不少于%(n)d个工作日") % {"n": workdays} if workdays else "",
            _("不少于%(n)d日") % {"n": days} if days else "",
        )
        if part
    )
    if opens_on < timezone.localdate():
        raise InvalidInput(_("开始日期不能早于今天。"), code="opens_in_past")
    if not gates.period_meets_rule(document, opens_on, closes_on):
        raise InvalidInput(
            _("征求意见期须%(rule)s。") % {"rule": rule}, code="consultation_too_short"
        )
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.draft_document", locked)
        _require_state(locked, State.DRAFTING)
        consultation, _created = Consultation.objects.update_or_create(
            document=locked,
            defaults={"opens_on": opens_on, "closes_on": closes_on, "rule": str(rule)},
        )
        workflow.perform(
            locked,
            "open_consultation",
            actor=actor,
            opens_on=opens_on.isoformat(),
            closes_on=closes_on.isoformat(),
        )
    return consultation


def comment_submit(
    *,
    consultation: Consultation,
    text: str,
    name: str,
    phone: str,
    idempotency_key: str,
    article: int | None = None,
) -> PublicComment:
    """A citizen's comment; the same idempotency key returns the first comment, never a copy."""
    existing = PublicComment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_consultation(existing, consultation)
    text = text.strip()
    if not text:
        raise InvalidInput(_("请填写意见内容。"), code="text_required")
    if len(text) > 5000:
        raise InvalidInput(_("意见内容不能超过 5000 字。"), code="text_too_long")
    if not name.strip():
        raise InvalidInput(_("请填写姓名。"), code="name_required")
    phone = validate_mobile(phone)
    if not 16 <= len(idempotency_key) <= 64:
        raise InvalidInput(_("表单已失效，请刷新页面后重新提交。"), code="bad_token")
    with transaction.atomic():
        document = _lock(consultation.document)
        if document.state != State.CONSULTATION or not consultation.is_open():
            raise Conflict(_("征求意见已结束，不能再提交意见。"), code="consultation_closed")
        try:
            with transaction.atomic():
                comment = PublicComment.objects.create(
                    consultation=consultation,
                    article=article,
                    text=text,
                    submitter_name=name.strip()[:50],
                    submitter_phone=phone,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            return _same_consultation(
                PublicComment.objects.get(idempotency_key=idempotency_key), consultation
            )
        audit.record(
            "normative.comment.submit",
            agency=document.agency,
            target=document,
            actor_name="公众",
            data={"comment": comment.pk, "article": article},
        )
    return comment


def _same_consultation(comment: PublicComment, consultation: Consultation) -> PublicComment:
    """A replayed token answers with the first comment, but only on the same consultation."""
    if comment.consultation_id != consultation.pk:
        raise InvalidInput(_("表单已失效，请刷新页面后重新提交。"), code="bad_token")
    return comment


def comment_respond(
    *, actor, comment: PublicComment, response: str, reason: str = ""
) -> PublicComment:
    if response not in PublicComment.Response.values:
        raise InvalidInput(_("请选择采纳情况。"), code="response_required")
    if response != PublicComment.Response.ADOPTED and not reason.strip():
        raise InvalidInput(_("部分采纳或不予采纳时须写明理由。"), code="reason_required")
    with transaction.atomic():
        document = _lock(comment.consultation.document)
        _require(actor, "normative.draft_document", document)
        _require_state(document, State.COMMENTS)
        locked = PublicComment.objects.select_for_update().get(pk=comment.pk)
        locked.response = response
        locked.response_reason = reason.strip()
        locked.responded_by = actor
        locked.responded_at = timezone.now()
        locked.save(update_fields=["response", "response_reason", "responded_by", "responded_at"])
        _event(
            "comment.respond", actor=actor, document=document, comment=locked.pk, response=response
        )
    return locked


def consultation_report_draft(consultation: Consultation) -> str:
    """The adoption report drafted from the answers, grouped by article, for staff to edit."""
    comments = list(consultation.comments.order_by("article", "submitted_at"))
    if not comments:
        return str(_("征求意见期间未收到意见。"))
    groups = defaultdict(list)
    for comment in comments:
        groups[comment.article].append(comment)
    lines = [str(_("征求意见期间共收到意见 %(n)d 条，处理情况如下：") % {"n": len(comments)})]
    for article in sorted(groups, key=lambda a: (a is not None, a or 0)):
        heading = _("关于全文") if article is None else _("关于第%(n)d条") % {"n": article}
        lines.append(f"{heading}：")
        for comment in groups[article]:
            answer = comment.get_response_display() or _("尚未答复")
            reason = f"（{comment.response_reason}）" if comment.response_reason else ""
            lines.append(f"- {comment.text}　——{answer}{reason}")
    return "\n".join(str(line) for line in lines)


def consultation_report_publish(*, actor, document, report: str) -> Consultation:
    if not report.strip():
        raise InvalidInput(_("请填写意见采纳情况说明。"), code="report_required")
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.draft_document", locked)
        _require_state(locked, State.COMMENTS)
        consultation = Consultation.objects.select_for_update().get(document=locked)
        if consultation.comments.filter(response="").exists():
            raise Conflict(_("还有意见未答复，不能公布采纳情况说明。"), code="comments_unanswered")
        consultation.report = report.strip()
        consultation.report_published_at = timezone.now()
        consultation.save(update_fields=["report", "report_published_at"])
        _event("consultation.report", actor=actor, document=locked)
    return consultation


# --- Legality review, decision, issuance -----------------------------------------------------


def review_submit(*, actor, document) -> NormativeDocument:
    """Send for legality review; the review's clock starts the same day."""
    with transaction.atomic():
        done = workflow.perform(document, "submit_for_review", actor=actor)
        LegalityReview.objects.create(document=done, started_on=timezone.localdate())
    return done


def review_record(
    *,
    actor,
    document,
    checklist: dict[str, bool],
    opinion: str,
    report: str,
    adviser_opinion: str = "",
    decided_on: date | None = None,
) -> LegalityReview:
    """The legal office's opinion. Pass → the draft may go to a meeting; otherwise back."""
    if opinion not in LegalityReview.Opinion.values:
        raise InvalidInput(_("请选择审核意见。"), code="opinion_required")
    if set(checklist) != set(LegalityReview.CHECKLIST):
        raise InvalidInput(_("请逐项完成审核要点。"), code="checklist_incomplete")
    if not report.strip():
        raise InvalidInput(_("请填写审核报告。"), code="report_required")
    if opinion == LegalityReview.Opinion.PASS and not all(checklist.values()):
        raise InvalidInput(_("审核要点未全部通过，不能出具“通过”意见。"), code="checklist_failed")
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.review_document", locked)
        _require_state(locked, State.REVIEW)
        review = gates.latest_review(locked)
        if review is None:  # moved to review by a bare transition, never through review_submit
            raise Conflict(_("尚未受理合法性审核，请先提请审核。"), code="review_missing")
        review.checklist = {key: bool(value) for key, value in checklist.items()}
        review.opinion = opinion
        review.report = report.strip()
        # An opinion the adviser gave through a request stays as given; the office types one
        # in only when it was obtained outside the system.
        if review.adviser_answered_at is None and adviser_opinion.strip():
            review.adviser_opinion = adviser_opinion.strip()
        review.reviewer = actor
        review.decided_on = decided_on or timezone.localdate()
        review.save()
        if opinion == LegalityReview.Opinion.PASS:
            workflow.perform(locked, "pass_review", actor=actor, comment=review.report)
        else:
            workflow.perform(locked, "return_from_review", actor=actor, comment=review.report)
    return review


def decision_record(
    *,
    actor,
    document,
    meeting: str,
    meeting_date: date,
    attendees: str,
    adopted: bool,
    decision: str,
    minutes=None,
) -> CollectiveDecision:
    if meeting not in CollectiveDecision.Meeting.values:
        raise InvalidInput(_("请选择会议类型。"), code="meeting_required")
    if not attendees.strip() or not decision.strip():
        raise InvalidInput(_("请填写出席人员和决定内容。"), code="decision_incomplete")
    if meeting_date > timezone.localdate():
        raise InvalidInput(_("会议日期不能晚于今天。"), code="meeting_in_future")
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.review_document", locked)
        _require_state(locked, State.REVIEWED)
        record = CollectiveDecision.objects.create(
            document=locked,
            meeting=meeting,
            meeting_date=meeting_date,
            attendees=attendees.strip(),
            adopted=adopted,
            decision=decision.strip(),
            minutes=minutes,
            recorded_by=actor,
        )
        if adopted:
            workflow.perform(locked, "record_decision", actor=actor, comment=record.decision)
        else:
            workflow.perform(locked, "abandon", actor=actor, comment=record.decision)
    return record


def document_issue(
    *,
    actor,
    document,
    published_on: date,
    effective_on: date,
    valid_until: date,
    interpretation: str,
    validity_reason: str = "",
) -> NormativeDocument:
    """Register, number and publish. The number is drawn in the same transaction, so a refused
    issuance draws none and an issued document never gets a second one."""
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.issue_document", locked)
        _require_state(locked, State.DECIDED)
        if locked.doc_number_id is not None:
            raise Conflict(_("该文件已有文号。"), code="already_numbered")
        locked.published_on = published_on
        locked.effective_on = effective_on
        locked.valid_until = valid_until
        locked.interpretation = interpretation.strip()
        locked.validity_reason = validity_reason.strip()
        if not gates.validity_within_limit(locked, valid_until) and not locked.validity_reason:
            raise InvalidInput(
                _("有效期超过该类文件的上限，须写明理由。"), code="validity_too_long"
            )
        if not gates.ready_to_issue(locked):
            raise InvalidInput(
                _("请填写政策解读，且施行日期不早于公布日期、有效期晚于施行日期。"),
                code="issuance_incomplete",
            )
        locked.doc_number = number_allocate(
            actor=actor, agency=locked.agency, key="rules", year=published_on.year, target=locked
        )
        locked.save(
            update_fields=[
                "published_on",
                "effective_on",
                "valid_until",
                "interpretation",
                "validity_reason",
                "doc_number",
            ]
        )
        done = workflow.perform(locked, "issue", actor=actor, number=locked.doc_number.text)
        # Filing with the government at the same level runs on its own clock from publication.
        Filing.objects.create(document=done, due_on=filing_due_on(done))
        _index_public(done)
        return done


def _index_public(document) -> None:
    """The published document goes into the portal's full-text search (same transaction)."""
    from fazhi.core.search.services import index_document

    version = document.versions.order_by("-number").first()
    index_document(
        target=document,
        title=f"{document.title}（{document.doc_number.text}）",
        body="\n".join(filter(None, [version.text if version else "", document.interpretation])),
        url=f"/rules/{document.pk}/",
        agency=document.agency,
        is_public=True,
    )


def filing_due_on(document) -> date:
    days = agency_settings.get(document.agency_id, "rules.filing_days")
    return document.published_on + timedelta(days=days)


def filing_record(
    *, actor, document, outcome: str, filed_on: date | None = None, note: str = ""
) -> Filing:
    """Record that the document was sent for filing, and later the government's answer."""
    if outcome not in Filing.Outcome.values or outcome == Filing.Outcome.PENDING:
        raise InvalidInput(_("请选择备案结果。"), code="outcome_required")
    if outcome == Filing.Outcome.CORRECTION and not note.strip():
        raise InvalidInput(_("请写明纠正要求。"), code="note_required")
    with transaction.atomic():
        locked = _lock(document)
        _require(actor, "normative.issue_document", locked)
        _require_state(locked, State.ISSUED)
        filing = Filing.objects.select_for_update().get(document=locked)
        filing.filed_on = filed_on or filing.filed_on or timezone.localdate()
        if filing.filed_on < locked.published_on or filing.filed_on > timezone.localdate():
            raise InvalidInput(_("报送日期须在公布日期之后、今天之前。"), code="filed_on_invalid")
        filing.outcome = outcome
        filing.note = note.strip()
        filing.updated_by = actor
        filing.save()
        _event(
            "filing.record",
            actor=actor,
            document=locked,
            outcome=outcome,
            filed_on=filing.filed_on.isoformat(),
        )
    return filing


def open_filings(today: date):
    """Deadline source for the sweep: issued documents not yet sent for filing."""
    from fazhi.core.notify.deadlines import DeadlineItem
    from fazhi.core.roles import Role

    pending = Filing.objects.filter(outcome=Filing.Outcome.PENDING).select_related(
        "document__agency"
    )
    for filing in pending:
        document = filing.document
        officers = [
            m.user
            for m in document.agency.memberships.active()
            .filter(role=Role.LEGAL_OFFICER)
            .select_related("user")
        ]
        yield DeadlineItem(
            document.agency,
            officers,
            document,
            filing.due_on,
            str(_("报送备案：%(title)s") % {"title": document.title}),
        )


# The drafting and review extras live in their own module; importable from here too.
from fazhi.rules.services.drafting import (  # noqa: E402, F401
    document_countersign_open,
    document_countersign_opine,
    document_upload_version,
    review_adviser_answer,
    review_adviser_request,
)
