"""差评整改 (the bad-review loop) and 申诉复核 (appeals), with the sweep of the loop's deadlines.

The loop, each step through `core.workflow.perform` with its guards (models/ratings.py), by the
case's department ("谁办理、谁负责"):

    待回访 --登记回访--> 待核实 --情况属实--> 整改中 --登记整改情况, 反馈评价人--> 已反馈
                                  \\--解释说明（无法律依据或属误解）并反馈--> 已反馈

- Dates are never in the future and never before the step they follow; texts are limited.
- In 整改中 a complex fix can be sent into the oversight rectification loop:
  `finding_open(source="rating", source_ref="services.rating:<id>")`, idempotent, the finding
  kept in `finding_ref`.
- The answer goes to the rater by SMS when they rated under their name with a mobile number.
- Appeals: the head of the case's department files one (reason, optional evidence files) for a
  bad review; the legal office or a leader approves (the rating is excluded from every figure)
  or rejects it (with a reason). A rating is appealed once: a second appeal after a decision is
  refused, so a department cannot wear the reviewers down. An approved appeal stops the
  follow-up where it stands: its steps are refused by the guard, the sweep and 待办 leave it,
  and the page says why (the record of what was done so far stays).
- The sweep `services.bad_reviews_due` (fazhi sweep): on the due day a reminder, after it an
  overdue notice, for the call-back and for the fix, to the department head and the legal
  office; each at most once per follow-up, deadline and due date (notify's dedupe key), so it
  is safe to run twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import audit
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Membership
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.core.workflow import perform
from fazhi.services.models.ratings import (
    FOLLOW_UP,
    REASON_LABELS,
    BadReviewFollowUp,
    Rating,
    RatingAppeal,
    RatingLevel,
)
from fazhi.services.permissions import ratings as perms
from fazhi.services.services import _common
from fazhi.services.services.ratings import APPEAL_EVIDENCE, queue_answer_sms

logger = logging.getLogger("fazhi.services.ratings")

State = BadReviewFollowUp.State
Verdict = BadReviewFollowUp.Verdict
NOTE_MAX = 2000
ANSWER_MAX = 500
TITLE_MAX = 200
MAX_EVIDENCE = 5


# --- Shared checks --------------------------------------------------------------------------


def _lock(follow_up) -> BadReviewFollowUp:
    return (
        BadReviewFollowUp.objects.select_for_update(of=("self",))
        .select_related(
            "agency",
            "department",
            "rating",
            "rating__case",
            "rating__item",
            "rating__center",
            "rating__center__subdistrict",
        )
        .get(pk=follow_up.pk)
    )


def _may_follow_up(actor, follow_up) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(FOLLOW_UP, follow_up):
        raise NotAllowed(
            _("只有该办件的责任处室可以办理差评整改。"), code="not_responsible_department"
        )


def _expect(follow_up, state: str, action) -> None:
    if follow_up.rating.excluded:
        raise Conflict(_("该差评已经申诉复核剔除，整改已终止。"), code="rating_excluded")
    if follow_up.state != state:
        raise Conflict(
            _("该差评整改当前为“%(state)s”，不能%(action)s。可能已被他人处理，请刷新。")
            % {"state": follow_up.get_state_display(), "action": action},
            code="state_changed",
        )


def _day(value, label, *, earliest: date | None, earliest_label: str = "") -> date:
    today = timezone.localdate()
    if value is None or value == "":
        return today
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(_("%(label)s格式不正确。") % {"label": label}, code="date_invalid")
    if value > today:
        raise InvalidInput(_("%(label)s不能晚于今天。") % {"label": label}, code="date_in_future")
    if earliest is not None and value < earliest:
        raise InvalidInput(
            _("%(label)s不能早于%(what)s（%(day)s）。")
            % {"label": label, "what": earliest_label, "day": format_day(earliest)},
            code="date_too_early",
        )
    return value


def _people(agency_id: int, roles, department_id: int | None = None) -> list:
    memberships = Membership.objects.active().filter(agency_id=agency_id, role__in=list(roles))
    if department_id is not None:
        memberships = memberships.filter(department_id=department_id)
    return [m.user for m in memberships.select_related("user").order_by("pk")]


def _url(follow_up) -> str:
    return reverse("services:rating", args=[follow_up.rating_id])


# --- The loop -------------------------------------------------------------------------------


def follow_up_record_callback(
    *, actor, follow_up: BadReviewFollowUp, note: str, called_back_on: date | None = None
) -> BadReviewFollowUp:
    """回访: the day the rater was called back and what was said (待回访 → 待核实)."""
    note = _common.text(note, _("回访情况"), limit=NOTE_MAX, code="callback_note")
    with transaction.atomic():
        locked = _lock(follow_up)
        _may_follow_up(actor, locked)
        _expect(locked, State.AWAITING_CALLBACK, _("登记回访"))
        day = _day(
            called_back_on,
            _("回访日期"),
            earliest=locked.rating.rated_on,
            earliest_label=_("评价日期"),
        )
        locked.called_back_on = day
        locked.callback_note = note
        if locked.assignee_id is None:
            locked.assignee = actor
        locked.save(update_fields=["called_back_on", "callback_note", "assignee"])
        return perform(
            locked,
            "record_callback",
            actor=actor,
            comment=note[:500],
            called_back_on=day.isoformat(),
        )


def follow_up_verify(
    *,
    actor,
    follow_up: BadReviewFollowUp,
    verdict: str,
    note: str,
    answer: str = "",
    answered_on: date | None = None,
) -> BadReviewFollowUp:
    """核实: 情况属实 → 整改中; 无法律依据或属误解 → the explanation is the answer (已反馈),
    sent to the rater by SMS when they left a mobile number."""
    if verdict not in Verdict.values:
        raise InvalidInput(_("请选择核实结论。"), code="verdict_invalid")
    note = _common.text(note, _("核实情况"), limit=NOTE_MAX, code="verification_note")
    if verdict == Verdict.EXPLAINED:
        answer = _common.text(answer, _("给评价人的解释说明"), limit=ANSWER_MAX, code="answer")
    with transaction.atomic():
        locked = _lock(follow_up)
        _may_follow_up(actor, locked)
        _expect(locked, State.VERIFYING, _("核实"))
        locked.verdict = verdict
        locked.verification_note = note
        fields = ["verdict", "verification_note"]
        if verdict == Verdict.EXPLAINED:
            locked.answer = answer
            locked.answered_on = _day(
                answered_on,
                _("反馈日期"),
                earliest=locked.called_back_on,
                earliest_label=_("回访日期"),
            )
            fields += ["answer", "answered_on"]
        locked.save(update_fields=fields)
        if verdict == Verdict.VALID:
            return perform(locked, "verify", actor=actor, comment=note[:500], verdict=verdict)
        done = perform(
            locked,
            "explain",
            actor=actor,
            comment=note[:500],
            verdict=verdict,
            answer=answer,
            answered_on=locked.answered_on.isoformat(),
        )
        queue_answer_sms(done)
        return done


def follow_up_record_fix(*, actor, follow_up: BadReviewFollowUp, note: str) -> BadReviewFollowUp:
    """登记整改情况 (while 整改中; may be written again until the rater is answered)."""
    note = _common.text(note, _("整改情况"), limit=NOTE_MAX, code="fix_note")
    with transaction.atomic():
        locked = _lock(follow_up)
        _may_follow_up(actor, locked)
        _expect(locked, State.RECTIFYING, _("登记整改情况"))
        before = locked.fix_note
        locked.fix_note = note
        locked.save(update_fields=["fix_note"])
        audit.record(
            "services.follow_up.fix",
            actor=actor,
            agency=locked.agency,
            target=locked,
            from_state=locked.state,
            to_state=locked.state,
            data={"comment": note[:500], "changed": bool(before)},
        )
    return locked


def _finding_description(follow_up) -> str:
    rating = follow_up.rating
    parts = [
        _("评价：%(level)s（%(channel)s，%(day)s）")
        % {
            "level": RatingLevel(rating.level).label,
            "channel": rating.get_channel_display(),
            "day": format_day(rating.rated_on),
        },
        _("事项：%(item)s；办件 %(number)s")
        % {"item": rating.item.name, "number": rating.case.case_number},
    ]
    if rating.reasons:
        parts.append(
            _("原因：%(reasons)s")
            % {"reasons": "、".join(str(REASON_LABELS.get(r, r)) for r in rating.reasons)}
        )
    if rating.comment:
        parts.append(_("评价内容：%(text)s") % {"text": rating.comment})
    if follow_up.callback_note:
        parts.append(_("回访情况：%(text)s") % {"text": follow_up.callback_note})
    if follow_up.verification_note:
        parts.append(_("核实情况：%(text)s") % {"text": follow_up.verification_note})
    return "\n".join(parts)


def follow_up_open_finding(
    *,
    actor,
    follow_up: BadReviewFollowUp,
    title: str = "",
    description: str = "",
    severity: str = "general",
    request=None,
):
    """A complex fix goes into the oversight rectification loop (台账 + deadline): opens the
    finding for the department and keeps it in `finding_ref`. Idempotent: asked again, it
    returns the same finding. Returns the finding."""
    from fazhi.oversight.models import Source
    from fazhi.oversight.services.findings import finding_open

    title = _common.text(title, _("问题"), limit=TITLE_MAX, code="title", required=False)
    description = _common.text(
        description, _("问题描述"), limit=5000, code="description", required=False
    )
    with transaction.atomic():
        locked = _lock(follow_up)
        if not getattr(actor, "is_authenticated", False) or not actor.has_perm(
            perms.OPEN_FINDING, locked
        ):
            raise NotAllowed(
                _("只有该办件的责任处室或法制办可以转入整改督办。"), code="not_allowed"
            )
        if not locked.finding_ref:
            _expect(locked, State.RECTIFYING, _("转入整改督办"))
        rating = locked.rating
        center = rating.center
        finding = finding_open(
            agency=locked.agency,
            source=Source.RATING,
            source_ref=f"services.rating:{rating.pk}",
            source_label=_("好差评 %(number)s（%(channel)s）")
            % {"number": rating.case.case_number, "channel": rating.get_channel_display()},
            title=title or _("差评整改：%(item)s") % {"item": rating.item.name[:80]},
            description=description or _finding_description(locked),
            department=locked.department,
            subdistrict=center.subdistrict if center is not None else None,
            severity=severity,
            found_on=rating.rated_on,
            actor=actor,
            request=request,
        )
        ref = f"oversight.finding:{finding.pk}"
        if locked.finding_ref != ref:
            locked.finding_ref = ref
            locked.save(update_fields=["finding_ref"])
            audit.record(
                "services.follow_up.open_finding",
                actor=actor,
                agency=locked.agency,
                target=locked,
                from_state=locked.state,
                to_state=locked.state,
                request=request,
                data={"finding": finding.pk, "comment": finding.title},
            )
    return finding


def follow_up_answer(
    *, actor, follow_up: BadReviewFollowUp, answer: str, answered_on: date | None = None
) -> BadReviewFollowUp:
    """反馈评价人 after the fix (整改中 → 已反馈); the guard wants the fix recorded."""
    answer = _common.text(answer, _("反馈评价人的内容"), limit=ANSWER_MAX, code="answer")
    with transaction.atomic():
        locked = _lock(follow_up)
        _may_follow_up(actor, locked)
        _expect(locked, State.RECTIFYING, _("反馈评价人"))
        locked.answer = answer
        locked.answered_on = _day(
            answered_on,
            _("反馈日期"),
            earliest=locked.called_back_on,
            earliest_label=_("回访日期"),
        )
        locked.save(update_fields=["answer", "answered_on"])
        done = perform(
            locked,
            "send_answer",
            actor=actor,
            comment=answer[:500],
            answered_on=locked.answered_on.isoformat(),
        )
        queue_answer_sms(done)
        return done


# --- Appeals (申诉复核) -----------------------------------------------------------------------


def may_read_appeal_evidence(user, stored) -> bool:
    """Evidence of an appeal: whoever may read the rating it is about."""
    appeals = RatingAppeal.objects.filter(evidence=stored).select_related("rating")
    return stored.uploaded_by_id == user.pk or any(
        perms.reads_rating(user, appeal.rating) for appeal in appeals
    )


def _store_evidence(actor, agency, upload, request):
    from fazhi.core.files.services import file_store

    if hasattr(upload, "sha256") and hasattr(upload, "purpose"):  # a StoredFile uploaded first
        if (
            upload.agency_id != agency.pk
            or upload.purpose != APPEAL_EVIDENCE
            or upload.uploaded_by_id != actor.pk
        ):
            raise InvalidInput(_("佐证材料须是您本人上传的差评申诉材料。"), code="file_invalid")
        return upload
    return file_store(
        actor=actor, agency=agency, upload=upload, purpose=APPEAL_EVIDENCE, request=request
    )


def appeal_file(*, actor, rating: Rating, reason: str, evidence=(), request=None) -> RatingAppeal:
    """申诉: the head of the case's department asks to exclude a malicious or mistaken bad
    review, with the reason and optional evidence (PDF, images, DOCX)."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perms.APPEAL, rating):
        raise NotAllowed(_("只有该办件责任处室的负责人可以申诉。"), code="not_department_head")
    reason = _common.text(reason, _("申诉理由"), limit=NOTE_MAX, code="reason")
    evidence = [e for e in (evidence or ()) if e]
    if len(evidence) > MAX_EVIDENCE:
        raise InvalidInput(
            _("佐证材料最多 %(n)d 个。") % {"n": MAX_EVIDENCE}, code="too_many_files"
        )
    with transaction.atomic():
        locked = (
            Rating.objects.select_for_update(of=("self",))
            .select_related("agency", "item", "case")
            .get(pk=rating.pk)
        )
        if not locked.bad:
            raise InvalidInput(_("只能对差评提出申诉。"), code="not_bad_review")
        if locked.excluded:
            raise Conflict(_("该差评已剔除。"), code="already_excluded")
        earlier = locked.appeals.order_by("-pk").first()
        if earlier is not None and earlier.state == RatingAppeal.State.PENDING:
            raise Conflict(_("该差评已有申诉在审核中。"), code="appeal_pending")
        if earlier is not None:
            raise Conflict(
                _("该差评已申诉复核（%(state)s），不能再次申诉。")
                % {"state": earlier.get_state_display()},
                code="already_appealed",
            )
        files = [_store_evidence(actor, locked.agency, upload, request) for upload in evidence]
        appeal = RatingAppeal.objects.create(
            agency=locked.agency, rating=locked, reason=reason, filed_by=actor
        )
        if files:
            appeal.evidence.set(files)
        audit.record(
            "services.rating.appeal_file",
            actor=actor,
            agency=locked.agency,
            target=locked,
            to_state=appeal.state,
            request=request,
            data={"appeal": appeal.pk, "comment": reason[:500], "files": [f.pk for f in files]},
        )
        notify(
            recipients=_people(locked.agency_id, [Role.LEGAL_OFFICER, Role.LEADER]),
            kind="services_rating_appeal",
            title=_("差评申诉待审核：%(item)s") % {"item": locked.item.name[:60]},
            body=reason[:500],
            url=reverse("services:rating", args=[locked.pk]),
            target=appeal,
            agency=locked.agency,
            dedupe_key=f"services.rating.appeal:{appeal.pk}",
        )
    return appeal


def appeal_decide(
    *, actor, appeal: RatingAppeal, approve: bool, note: str = "", request=None
) -> RatingAppeal:
    """复核: the legal office or a leader approves (the rating is excluded from every figure
    and its follow-up stops) or rejects (a reason is required)."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(
        perms.DECIDE_APPEAL, appeal
    ):
        raise NotAllowed(_("只有法制办或机关领导可以审核差评申诉。"), code="not_allowed")
    if not isinstance(approve, bool):
        raise InvalidInput(_("请选择同意剔除或不予剔除。"), code="decision_invalid")
    note = _common.text(
        note, _("审核意见"), limit=NOTE_MAX, code="decision_note", required=not approve
    )
    now = timezone.now()
    with transaction.atomic():
        locked = (
            RatingAppeal.objects.select_for_update(of=("self",))
            .select_related("agency", "rating", "rating__item")
            .get(pk=appeal.pk)
        )
        if locked.state != RatingAppeal.State.PENDING:
            raise Conflict(
                _("该申诉已审核（%(state)s）。") % {"state": locked.get_state_display()},
                code="state_changed",
            )
        rating = Rating.objects.select_for_update().get(pk=locked.rating_id)
        before = locked.state
        locked.state = RatingAppeal.State.APPROVED if approve else RatingAppeal.State.REJECTED
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_note = note
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        audit.record(
            "services.rating.appeal_decide",
            actor=actor,
            agency=locked.agency,
            target=rating,
            from_state=before,
            to_state=locked.state,
            request=request,
            data={"appeal": locked.pk, "approve": approve, "comment": note[:500]},
        )
        if approve:
            rating.excluded = True
            rating.save(update_fields=["excluded"])
            follow_up = BadReviewFollowUp.objects.filter(rating=rating).first()
            audit.record(
                "services.rating.exclude",
                actor=actor,
                agency=locked.agency,
                target=rating,
                request=request,
                data={
                    "appeal": locked.pk,
                    "follow_up_state": follow_up.state if follow_up else "",
                    "comment": note[:500],
                },
            )
        notify(
            recipients=[
                locked.filed_by,
                *_people(locked.agency_id, [Role.DEPARTMENT_HEAD], rating.department_id),
            ],
            kind="services_rating_appeal",
            title=(
                _("差评申诉已同意剔除：%(item)s") if approve else _("差评申诉不予剔除：%(item)s")
            )
            % {"item": locked.rating.item.name[:60]},
            body=note[:500],
            url=reverse("services:rating", args=[rating.pk]),
            target=locked,
            agency=locked.agency,
            dedupe_key=f"services.rating.appeal_decided:{locked.pk}",
        )
    return locked


# --- The sweep ------------------------------------------------------------------------------


def _due_notices(follow_up, today: date) -> list[tuple[str, str]]:
    """(dedupe suffix, title) of the notices due today for one open follow-up."""
    item = follow_up.rating.item.name[:60]
    found = []
    if follow_up.state == State.AWAITING_CALLBACK:
        due = follow_up.callback_due_on
        if due == today:
            found.append(
                (f"callback_due:{due.isoformat()}", _("差评今日应回访：%(item)s") % {"item": item})
            )
        elif due < today:
            found.append(
                (
                    f"callback_overdue:{due.isoformat()}",
                    _("差评回访已逾期（期限%(day)s）：%(item)s")
                    % {"day": format_day(due), "item": item},
                )
            )
    due = follow_up.fix_due_on
    if due == today:
        found.append(
            (f"fix_due:{due.isoformat()}", _("差评整改今日到期：%(item)s") % {"item": item})
        )
    elif due < today:
        found.append(
            (
                f"fix_overdue:{due.isoformat()}",
                _("差评整改已逾期（期限%(day)s）：%(item)s")
                % {"day": format_day(due), "item": item},
            )
        )
    return found


def bad_reviews_due_sweep(now: datetime) -> int:
    """Reminders on the due day and overdue notices, for the call-back and the fix, to the
    department head and the legal office; returns the notices sent. Safe to run twice: each
    notice has a dedupe key naming the follow-up, the deadline and its date."""
    from django.db.models import Q

    from fazhi.core.notify.sweeps import PartialSweepFailure, describe

    today = timezone.localdate(now)
    pending = (
        BadReviewFollowUp.objects.filter(
            state__in=BadReviewFollowUp.OPEN_STATES, rating__excluded=False
        )
        .filter(
            Q(state=State.AWAITING_CALLBACK, callback_due_on__lte=today) | Q(fix_due_on__lte=today)
        )
        .select_related("agency", "rating", "rating__item")
        .order_by("pk")
    )
    sent = 0
    failures: list[str] = []
    people: dict[tuple[int, int], list] = {}
    for follow_up in pending:
        key = (follow_up.agency_id, follow_up.department_id)
        try:
            if key not in people:
                people[key] = _people(
                    follow_up.agency_id, [Role.DEPARTMENT_HEAD], follow_up.department_id
                ) + _people(follow_up.agency_id, [Role.LEGAL_OFFICER])
            for suffix, title in _due_notices(follow_up, today):
                created = notify(
                    recipients=people[key],
                    kind="services_follow_up_due",
                    title=title,
                    body=_("回访期限%(callback)s，整改期限%(fix)s。")
                    % {
                        "callback": format_day(follow_up.callback_due_on),
                        "fix": format_day(follow_up.fix_due_on),
                    },
                    url=_url(follow_up),
                    target=follow_up,
                    agency=follow_up.agency,
                    dedupe_key=f"services.follow_up:{follow_up.pk}:{suffix}",
                )
                sent += len(created)
        except Exception as exc:  # one broken record must not stop the others
            logger.exception("Bad-review reminder for follow-up %s failed", follow_up.pk)
            failures.append(f"follow-up {follow_up.pk}: {describe(exc)}")
    if failures:
        raise PartialSweepFailure(sent, failures)
    return sent
