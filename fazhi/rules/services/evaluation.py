"""Evaluation before expiry (到期前评估): opened by the sweep, proposed by the department,
confirmed (or returned) by the legal office, which then applies the outcome to the document.

Dates follow the 徐汇 practice as per-agency settings (docs/decisions.md 35): opened
`rules.evaluation_months_before` (6) months before `valid_until`, the proposal due
`rules.evaluation_due_months_before` (2) months before, the confirmation
`rules.evaluation_confirm_months_before` (1) month before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings, audit
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.notify.services import notify
from fazhi.core.notify.sweeps import PartialSweepFailure, describe
from fazhi.core.roles import Role
from fazhi.rules import aftercare_selectors as selectors
from fazhi.rules import gates
from fazhi.rules.models import Disposition, DocumentLink, ExpiryEvaluation, NormativeDocument
from fazhi.rules.status import months_before

logger = logging.getLogger("fazhi.rules")

SWEEP_ACTOR = "fazhi sweep"
BASIS = "到期评估"
# The longest lead time the setting allows (24 months), as a cheap pre-filter in days.
_HORIZON_DAYS = 25 * 31


@dataclass(frozen=True)
class EvaluationOutcome:
    evaluation: ExpiryEvaluation
    # The new draft that revises the document, when the outcome is "revise".
    draft: NormativeDocument | None = None


def site_language():
    """Notices are stored in the site language, whatever language the actor's page shows
    (as the deadline sweep does)."""
    return translation.override(settings.LANGUAGE_CODE)


def _lock(evaluation: ExpiryEvaluation) -> ExpiryEvaluation:
    return (
        ExpiryEvaluation.objects.select_for_update(of=("self",))
        .select_related("document__agency", "document__department")
        .get(pk=evaluation.pk)
    )


def _event(verb: str, *, actor=None, evaluation: ExpiryEvaluation, **data) -> None:
    audit.record(
        f"normative.evaluation.{verb}",
        actor=actor,
        actor_name="" if actor is not None else SWEEP_ACTOR,
        agency=evaluation.document.agency,
        target=evaluation,
        data={"document": evaluation.document_id, **data},
    )


def _url(evaluation: ExpiryEvaluation) -> str:
    return reverse("rules:evaluation", args=[evaluation.pk])


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def evaluation_dates(agency, valid_until: date) -> tuple[date, date, date]:
    """(opens on, proposal due on, confirmation due on) for a validity ending `valid_until`."""
    opens = months_before(
        valid_until, agency_settings.get(agency, "rules.evaluation_months_before")
    )
    due = months_before(
        valid_until, agency_settings.get(agency, "rules.evaluation_due_months_before")
    )
    confirm = months_before(
        valid_until, agency_settings.get(agency, "rules.evaluation_confirm_months_before")
    )
    # An agency may set the lead times out of order; the office never confirms before the
    # department's proposal is due.
    return opens, due, max(confirm, due)


def _ceiling_ok(document: NormativeDocument, current: date, proposed: date) -> bool:
    """The kind's ceiling counted from the day after the current period ends (gates logic)."""
    renewed = SimpleNamespace(
        agency_id=document.agency_id,
        kind=document.kind,
        effective_on=current + timedelta(days=1),
    )
    return gates.validity_within_limit(renewed, proposed)


def _require_current(evaluation: ExpiryEvaluation) -> None:
    document = evaluation.document
    if evaluation.confirmed_at is not None:
        raise Conflict(_("该评估已办结。"), code="evaluation_closed")
    if document.ended_on is not None:
        raise Conflict(_("文件已废止或宣布失效，无需评估。"), code="document_ended")
    if document.valid_until != evaluation.valid_until:
        raise Conflict(_("文件的有效期已变更，该评估不再适用。"), code="validity_changed")


# --- The department's proposal ---------------------------------------------------------------


def evaluation_propose(
    *,
    actor,
    evaluation: ExpiryEvaluation,
    proposal: str,
    reason: str = "",
    new_valid_until: date | None = None,
) -> ExpiryEvaluation:
    """The department proposes: keep with a new period, revise, let expire, or repeal.

    Keeping needs a new `valid_until` later than the current one and within the kind's
    ceiling counted from the end of the current period, unless a reason is given; every other
    proposal needs a reason.
    """
    reason = (reason or "").strip()
    if proposal not in Disposition.values:
        raise InvalidInput(_("请选择评估意见。"), code="proposal_required")
    if proposal != Disposition.KEEP:
        new_valid_until = None
        if not reason:
            raise InvalidInput(_("请写明评估理由。"), code="reason_required")
    with transaction.atomic():
        locked = _lock(evaluation)
        document = locked.document
        if not actor.has_perm("normative.draft_document", document):
            raise NotAllowed()
        _require_current(locked)
        if locked.proposal:
            raise Conflict(_("评估意见已报送，等待法制办确认。"), code="already_proposed")
        if proposal == Disposition.KEEP:
            _check_new_validity(document, locked.valid_until, new_valid_until, reason)
        locked.proposal = proposal
        locked.reason = reason
        locked.new_valid_until = new_valid_until
        locked.proposed_by = actor
        locked.proposed_at = timezone.now()
        locked.save(
            update_fields=["proposal", "reason", "new_valid_until", "proposed_by", "proposed_at"]
        )
        _event(
            "propose",
            actor=actor,
            evaluation=locked,
            proposal=proposal,
            reason=reason,
            new_valid_until=new_valid_until.isoformat() if new_valid_until else None,
        )
        officers = selectors.people_by_agency([document.agency_id], [Role.LEGAL_OFFICER])
        with site_language():
            notify(
                recipients=officers.get(document.agency_id, []),
                kind="normative_evaluation",
                title=_t("到期评估待确认：%(title)s") % {"title": document.title[:150]},
                body=_t("%(department)s提出的评估意见：%(proposal)s。")
                % {
                    "department": document.department.name,
                    "proposal": locked.get_proposal_display(),
                },
                url=_url(locked),
                target=locked,
                agency=document.agency,
            )
    return locked


def _check_new_validity(document, current: date, proposed: date | None, reason: str) -> None:
    if proposed is None:
        raise InvalidInput(
            _("评估意见为保留的，须填写新的有效期。"), code="new_valid_until_required"
        )
    if proposed <= current:
        raise InvalidInput(
            _("新的有效期须晚于现行有效期（%(day)s）。") % {"day": _day(current)},
            code="new_valid_until_too_early",
        )
    if not _ceiling_ok(document, current, proposed) and not reason:
        years = agency_settings.get(document.agency_id, gates.VALIDITY_SETTING[document.kind])
        raise InvalidInput(
            _("新的有效期超过该类文件的上限（现行有效期届满后%(years)d年），须写明理由。")
            % {"years": years},
            code="validity_too_long",
        )


# --- The legal office's confirmation ---------------------------------------------------------


def evaluation_confirm(
    *, actor, evaluation: ExpiryEvaluation, ended_on: date | None = None
) -> EvaluationOutcome:
    """Confirm the department's proposal and apply it to the document:
    keep → the new `valid_until`; repeal → ended on `ended_on` (default today) with the basis
    到期评估; expire → nothing to apply (the document lapses at `valid_until`); revise → a new
    draft in the same department, copying title, kind and text, linked as revising it.
    """
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(evaluation)
        document = NormativeDocument.objects.select_for_update().get(pk=locked.document_id)
        locked.document = document
        if not actor.has_perm("normative.review_document", document):
            raise NotAllowed()
        _require_current(locked)
        if not locked.proposal:
            raise Conflict(_("部门尚未报送评估意见，不能确认。"), code="proposal_missing")
        applied: dict = {}
        draft = None
        if locked.proposal == Disposition.KEEP:
            applied = _extend(actor, document, locked)
        elif locked.proposal == Disposition.REPEAL:
            applied = _end(actor, document, ended_on or today, today)
        elif locked.proposal == Disposition.REVISE:
            draft = _revision_draft(actor, document)
            applied = {"draft": draft.pk}
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_by", "confirmed_at"])
        _event("confirm", actor=actor, evaluation=locked, proposal=locked.proposal, **applied)
        drafters = selectors.people_by_department(
            [(document.agency_id, document.department_id)], selectors.DRAFTERS
        )
        with site_language():
            notify(
                recipients=drafters.get((document.agency_id, document.department_id), []),
                kind="normative_evaluation",
                title=_t("到期评估已确认：%(title)s") % {"title": document.title[:150]},
                body=_t("法制办已确认评估意见：%(proposal)s。")
                % {"proposal": locked.get_proposal_display()},
                url=reverse("rules:detail", args=[draft.pk]) if draft else _url(locked),
                target=locked,
                agency=document.agency,
            )
    return EvaluationOutcome(locked, draft)


def _extend(actor, document: NormativeDocument, evaluation: ExpiryEvaluation) -> dict:
    previous = document.valid_until
    document.valid_until = evaluation.new_valid_until
    document.save(update_fields=["valid_until"])
    audit.record(
        "normative.document.extend",
        actor=actor,
        agency=document.agency,
        target=document,
        from_state=document.state,
        to_state=document.state,
        data={
            "from": previous.isoformat(),
            "to": document.valid_until.isoformat(),
            "basis": BASIS,
            "evaluation": evaluation.pk,
        },
    )
    return {"new_valid_until": document.valid_until.isoformat()}


def _end(actor, document: NormativeDocument, ended_on: date, today: date) -> dict:
    if ended_on < today:
        raise InvalidInput(_("废止日期不能早于今天。"), code="ended_on_past")
    if ended_on > document.valid_until:
        raise InvalidInput(
            _("废止日期不能晚于有效期届满日（%(day)s）。") % {"day": _day(document.valid_until)},
            code="ended_on_after_expiry",
        )
    end_document(
        actor=actor, document=document, ended_on=ended_on, ended_as="repealed", basis=BASIS
    )
    return {"ended_on": ended_on.isoformat()}


def end_document(*, actor, document: NormativeDocument, ended_on: date, ended_as: str, basis: str):
    """Record that a document is repealed or declared invalid from `ended_on`.

    Caller holds the document's row lock inside its transaction (evaluation or cleanup).
    """
    document.ended_on = ended_on
    document.ended_as = ended_as
    document.ended_basis = basis[:200]
    document.save(update_fields=["ended_on", "ended_as", "ended_basis"])
    audit.record(
        "normative.document.end",
        actor=actor,
        agency=document.agency,
        target=document,
        from_state=document.state,
        to_state=document.state,
        data={"ended_on": ended_on.isoformat(), "ended_as": ended_as, "basis": basis[:200]},
    )


def _revision_draft(actor, document: NormativeDocument) -> NormativeDocument:
    from fazhi.rules import services
    from fazhi.rules.services.links import link_add

    latest = document.versions.order_by("-number").first()
    draft = services.document_create(
        actor=actor,
        agency=document.agency,
        department=document.department,
        title=document.title,
        text=latest.text if latest else document.title,
        kind=document.kind,
        legal_basis=document.legal_basis,
        market_related=document.market_related,
        major_rights=document.major_rights,
        planned_validity_years=document.planned_validity_years,
    )
    if document.topic:
        draft.topic = document.topic
        draft.save(update_fields=["topic"])
    link_add(actor=actor, source=draft, target=document, kind=DocumentLink.Kind.REVISES)
    return draft


def evaluation_return(*, actor, evaluation: ExpiryEvaluation, reason: str) -> ExpiryEvaluation:
    """Send the proposal back to the department with the reason (退回); it proposes again."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请写明退回理由。"), code="reason_required")
    with transaction.atomic():
        locked = _lock(evaluation)
        document = locked.document
        if not actor.has_perm("normative.review_document", document):
            raise NotAllowed()
        _require_current(locked)
        if not locked.proposal:
            raise Conflict(_("部门尚未报送评估意见，无可退回。"), code="proposal_missing")
        returned = locked.proposal
        locked.proposal = ""
        locked.new_valid_until = None
        locked.proposed_by = None
        locked.proposed_at = None
        locked.save(update_fields=["proposal", "new_valid_until", "proposed_by", "proposed_at"])
        _event("return", actor=actor, evaluation=locked, returned=returned, reason=reason)
        drafters = selectors.people_by_department(
            [(document.agency_id, document.department_id)], selectors.DRAFTERS
        )
        with site_language():
            notify(
                recipients=drafters.get((document.agency_id, document.department_id), []),
                kind="normative_evaluation",
                title=_t("到期评估被退回：%(title)s") % {"title": document.title[:150]},
                body=reason[:1000],
                url=_url(locked),
                target=locked,
                agency=document.agency,
            )
    return locked


# --- The sweep: open evaluations, escalate overdue proposals ---------------------------------


def documents_due_for_evaluation(today: date) -> list[NormativeDocument]:
    """Issued documents, not ended or superseded, whose evaluation has started by `today`
    and which have no evaluation for their current `valid_until`."""
    already = ExpiryEvaluation.objects.filter(
        document_id=OuterRef("pk"), valid_until=OuterRef("valid_until")
    )
    candidates = (
        NormativeDocument.objects.filter(
            state=NormativeDocument.State.ISSUED,
            ended_on__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=_HORIZON_DAYS),
        )
        .exclude(pk__in=selectors.superseded_on(today))
        .exclude(Exists(already))
        .select_related("agency", "department")
        .order_by("valid_until", "pk")
    )
    months: dict[int, int] = {}
    due = []
    for document in candidates:
        if document.agency_id not in months:
            months[document.agency_id] = agency_settings.get(
                document.agency_id, "rules.evaluation_months_before"
            )
        if months_before(document.valid_until, months[document.agency_id]) <= today:
            due.append(document)
    return due


def evaluation_open(*, document: NormativeDocument, today: date) -> ExpiryEvaluation | None:
    """Open the evaluation of `document` for its current validity (the sweep calls this).

    Idempotent: None when one exists already (the unique constraint settles a race) or the
    document no longer needs one.
    """
    with transaction.atomic():
        locked = (
            NormativeDocument.objects.select_for_update(of=("self",))
            .select_related("agency", "department")
            .get(pk=document.pk)
        )
        if (
            locked.state != NormativeDocument.State.ISSUED
            or locked.ended_on is not None
            or locked.valid_until is None
            or locked.valid_until < today
        ):
            return None
        _opens, due_on, confirm_due_on = evaluation_dates(locked.agency_id, locked.valid_until)
        try:
            with transaction.atomic():
                evaluation = ExpiryEvaluation.objects.create(
                    document=locked,
                    valid_until=locked.valid_until,
                    requested_on=today,
                    due_on=due_on,
                    confirm_due_on=confirm_due_on,
                )
        except IntegrityError:
            return None
        _event(
            "open",
            evaluation=evaluation,
            valid_until=locked.valid_until.isoformat(),
            due_on=due_on.isoformat(),
            confirm_due_on=confirm_due_on.isoformat(),
        )
        drafters = selectors.people_by_department(
            [(locked.agency_id, locked.department_id)], selectors.DRAFTERS
        )
        with site_language():
            notify(
                recipients=drafters.get((locked.agency_id, locked.department_id), []),
                kind="normative_evaluation",
                title=_t("请开展到期评估：%(title)s") % {"title": locked.title[:150]},
                body=_t(
                    "该文件有效期至%(until)s。请于%(due)s前提出评估意见"
                    "（保留并确定新的有效期、修改、宣布失效或废止）。"
                )
                % {"until": _day(locked.valid_until), "due": _day(due_on)},
                url=_url(evaluation),
                target=evaluation,
                agency=locked.agency,
                dedupe_key=f"evaluation-open:{evaluation.pk}",
            )
    return evaluation


def evaluation_escalate(*, evaluation: ExpiryEvaluation, today: date) -> ExpiryEvaluation | None:
    """Mark an overdue proposal escalated (once) and tell the department head, the legal
    office and the leaders. None when there is nothing (more) to escalate."""
    with transaction.atomic():
        locked = _lock(evaluation)
        document = locked.document
        if (
            locked.escalated_on is not None
            or locked.proposal
            or locked.confirmed_at is not None
            or locked.due_on >= today
            or document.ended_on is not None
        ):
            return None
        locked.escalated_on = today
        locked.save(update_fields=["escalated_on"])
        _event("escalate", evaluation=locked, due_on=locked.due_on.isoformat())
        heads = selectors.people_by_department(
            [(document.agency_id, document.department_id)], [Role.DEPARTMENT_HEAD]
        )
        office = selectors.people_by_agency([document.agency_id], [Role.LEGAL_OFFICER, Role.LEADER])
        with site_language():
            notify(
                recipients=[
                    *heads.get((document.agency_id, document.department_id), []),
                    *office.get(document.agency_id, []),
                ],
                kind="normative_evaluation_overdue",
                title=_t("【督办】到期评估逾期未报：%(title)s") % {"title": document.title[:150]},
                body=_t("%(department)s的评估意见应于%(due)s前报送，现已逾期。")
                % {"department": document.department.name, "due": _day(locked.due_on)},
                url=_url(locked),
                target=locked,
                agency=document.agency,
                dedupe_key=f"evaluation-escalate:{locked.pk}",
            )
    return locked


def evaluation_sweep(now: datetime) -> int:
    """Open the evaluations that are due and escalate overdue proposals; safe to run twice.

    Returns how many evaluations it opened and escalated. A record that fails is logged and
    skipped; the others still run, and the sweep then reports the failures.
    """
    today = timezone.localdate(now)
    sent = 0
    failures: list[str] = []
    with site_language():
        for document in documents_due_for_evaluation(today):
            try:
                evaluation = evaluation_open(document=document, today=today)
            except Exception as exc:  # one broken record must not stop the sweep
                logger.exception("Opening the evaluation of document %s failed", document.pk)
                failures.append(f"document {document.pk}: {describe(exc)}")
                continue
            if evaluation is not None:
                sent += 1
        overdue = ExpiryEvaluation.objects.filter(
            escalated_on__isnull=True,
            proposal="",
            confirmed_at__isnull=True,
            due_on__lt=today,
            document__ended_on__isnull=True,
        ).order_by("pk")
        for evaluation in overdue:
            try:
                escalated = evaluation_escalate(evaluation=evaluation, today=today)
            except Exception as exc:
                logger.exception("Escalating evaluation %s failed", evaluation.pk)
                failures.append(f"evaluation {evaluation.pk}: {describe(exc)}")
                continue
            if escalated is not None:
                sent += 1
    if failures:
        raise PartialSweepFailure(sent, failures)
    return sent


def open_evaluations(today: date):
    """Deadline source: reminders before the department's proposal is due (its escalation is
    the sweep's, which marks `escalated_on`) and before the office's confirmation is due."""
    from fazhi.core.notify.deadlines import DeadlineItem

    State = selectors.EvaluationState
    waiting = list(
        ExpiryEvaluation.objects.filter(State.FILTERS[State.PROPOSAL], due_on__gte=today)
        .select_related("document__agency")
        .order_by("pk")
    )
    confirming = list(
        ExpiryEvaluation.objects.filter(State.FILTERS[State.CONFIRMATION])
        .select_related("document__agency")
        .order_by("pk")
    )
    drafters = selectors.people_by_department(
        {(e.document.agency_id, e.document.department_id) for e in waiting}, selectors.DRAFTERS
    )
    office = selectors.people_by_agency(
        {e.document.agency_id for e in confirming}, [Role.LEGAL_OFFICER]
    )
    leaders = selectors.people_by_agency({e.document.agency_id for e in confirming}, [Role.LEADER])
    for evaluation in waiting:
        document = evaluation.document
        yield DeadlineItem(
            document.agency,
            drafters.get((document.agency_id, document.department_id), []),
            evaluation,
            evaluation.due_on,
            _t("报送到期评估意见：%(title)s") % {"title": document.title[:150]},
            _url(evaluation),
        )
    for evaluation in confirming:
        document = evaluation.document
        officers = office.get(document.agency_id, [])
        yield DeadlineItem(
            document.agency,
            officers,
            evaluation,
            evaluation.confirm_due_on,
            _t("确认到期评估：%(title)s") % {"title": document.title[:150]},
            _url(evaluation),
            [*officers, *leaders.get(document.agency_id, [])],
        )
