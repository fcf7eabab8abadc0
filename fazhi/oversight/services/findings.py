"""Findings and their rectification: the one loop every kind of oversight feeds.

`finding_open` is the entry other modules call (spot checks, visits, inspections, the committee
check here; the services module's bad reviews later): it validates, records the finding and its
rectification with the deadline from the working-day calendar, writes the audit event and tells
the responsible department, all in one transaction. Opening from the same source record twice
returns the first finding (idempotent on `source_ref`).

The rest of the loop, each a service that checks permission, validates, runs in one transaction
and writes an audit event:

- `finding_record`: the legal office opens a finding by hand (complaint, inspection, other),
  with evidence files.
- The rectification steps through `core.workflow.perform`: `rectification_propose_measures`,
  `rectification_submit_evidence` (note + files), `rectification_verify` (销号) and
  `rectification_send_back` (驳回, reason required, the deadline stands).
- `rectification_set_due`: the legal office moves a deadline by hand, only to a working day of
  the calendar, never to a past day.
- The escalation ladder (`escalation_sweep`, run by `fazhi sweep`): reminder N working days
  before the deadline, 督办单 (DOCX) on the first working day overdue, 约谈 after M and 通报
  after K working days overdue (agency settings). Each step is an `Escalation` row, taken at
  most once (unique per rectification and step), so the sweep is safe to run twice; a missed
  run catches up by taking every step then due. A rectification waiting for verification
  (待核验) is not escalated: the unit has done its part. Steps already taken are history: a
  new deadline does not undo them; the steps not yet taken follow the new deadline.
- No deadline source is registered with `core.notify.deadlines`: the ladder sends the reminder
  and the overdue notices itself, and a deadline source would send the same people a second
  "即将到期"/"已逾期" notice for the same date.
- `interview_record` (the 约谈 note), `circular_create` / `circular_issue` (通报, numbered,
  frozen snapshot, DOCX) and `accountability_record` (责任追究).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from fazhi.core import agency_settings, audit
from fazhi.core.calendar import add_workdays_result, is_provisional, is_workday, workdays_between
from fazhi.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from fazhi.core.models import Membership
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, writable_agency_ids
from fazhi.core.workflow import perform
from fazhi.oversight.conf import RECTIFY_WORKDAYS
from fazhi.oversight.models import (
    AccountabilityRecord,
    Circular,
    Escalation,
    Finding,
    Rectification,
    Severity,
    Source,
)
from fazhi.oversight.models.findings import RECTIFY, VERIFY

logger = logging.getLogger("fazhi.oversight")

TITLE_MAX = 200


def ready() -> None:
    """Registrations of the findings area: the ladder's sweep, file uses, the 通报 number
    series and the 待办 provider (no deadline source: see the module docstring)."""
    from fazhi.core.files.conf import MB
    from fazhi.core.files.uses import register_use
    from fazhi.core.notify.sweeps import register_sweep
    from fazhi.core.numbering import SeriesKind, register_series
    from fazhi.oversight import tasks
    from fazhi.workspace.tasks import provider

    register_use(
        EVIDENCE_PURPOSE,
        label=_lazy("问题与整改佐证材料"),
        allowed_types={"pdf", "jpeg", "png", "docx", "xlsx"},
        max_bytes=EVIDENCE_MAX_MB * MB,
        can_read=_can_read_evidence,
    )
    register_use(
        DOCUMENT_PURPOSE,
        label=_lazy("督办单与通报"),
        allowed_types={"docx"},
        max_bytes=10 * MB,
        can_read=_can_read_document,
    )
    # 示民督通〔2026〕1号: the agency's 机关代字 + 督通; the prefix is editable per series.
    register_series(
        SeriesKind(CIRCULAR_SERIES, "督办通报文号", lambda agency: f"{agency.short_name}督通")
    )
    register_sweep(SWEEP_NAME, escalation_sweep)
    provider(tasks.finding_tasks)


def rectify_workdays(agency, severity: str) -> int:
    return agency_settings.get(agency, RECTIFY_WORKDAYS[severity])


def _check_unit(agency, department, subdistrict, committee) -> None:
    if department is None or department.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的责任单位。"), code="department_required")
    if subdistrict is not None and subdistrict.agency_id != agency.pk:
        raise InvalidInput(_("街道/镇不属于本机关。"), code="subdistrict_agency")
    if committee is not None:
        if committee.agency_id != agency.pk:
            raise InvalidInput(_("居委会/村委会不属于本机关。"), code="committee_agency")
        if subdistrict is not None and committee.subdistrict_id != subdistrict.pk:
            raise InvalidInput(_("居委会/村委会不属于所选街道/镇。"), code="committee_subdistrict")


def _department_recipients(agency_id: int, department_id: int) -> list:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(
            agency_id=agency_id,
            department_id=department_id,
            role__in=[Role.DEPARTMENT_HEAD, Role.LIAISON],
        )
        .select_related("user")
    ]


def finding_open(
    *,
    agency,
    source: str,
    title: str,
    description: str,
    department,
    severity: str = Severity.GENERAL,
    legal_basis: str = "",
    subdistrict=None,
    committee=None,
    found_on: date | None = None,
    source_ref: str = "",
    source_label: str = "",
    evidence: Iterable = (),
    actor=None,
    actor_name: str = "",
    request=None,
    on: date | None = None,
) -> Finding:
    """Open a finding and its rectification; returns the finding.

    `on` is the day the finding is handed to the unit (today unless a demo or an import says
    otherwise); the deadline is the n-th working day after it, n from the agency setting for
    the severity. Raises InvalidInput with a Chinese message for bad input; writes nothing then.
    """
    today = timezone.localdate()
    on = on or today
    found_on = found_on or on
    title = (title or "").strip()
    description = (description or "").strip()
    source_ref = (source_ref or "").strip()
    if source not in Source.values:
        raise InvalidInput(_("未知的问题来源。"), code="source_unknown")
    if severity not in Severity.values:
        raise InvalidInput(_("请选择严重程度。"), code="severity_unknown")
    if not title:
        raise InvalidInput(_("请填写问题。"), code="title_required")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("问题不能超过 %(n)s 个字。") % {"n": TITLE_MAX}, code="title_too_long")
    if not description:
        raise InvalidInput(_("请填写问题描述。"), code="description_required")
    if found_on > today or on > today:
        raise InvalidInput(_("发现日期不能晚于今天。"), code="found_in_future")
    if found_on > on:
        raise InvalidInput(_("发现日期不能晚于交办日期。"), code="found_after_opened")
    _check_unit(agency, department, subdistrict, committee)
    if source_ref:
        known = Finding.objects.filter(agency=agency, source_ref=source_ref).first()
        if known is not None:
            return known
    due = add_workdays_result(on, rectify_workdays(agency, severity))
    try:
        with transaction.atomic():
            finding = Finding.objects.create(
                agency=agency,
                source=source,
                source_ref=source_ref,
                source_label=source_label[:200],
                title=title,
                description=description,
                severity=severity,
                legal_basis=legal_basis.strip(),
                department=department,
                subdistrict=subdistrict,
                committee=committee,
                found_on=found_on,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                created_by_name=actor_name[:100],
            )
            evidence = list(evidence)
            if evidence:
                finding.evidence.set(evidence)
            rectification = Rectification.objects.create(
                agency=agency,
                finding=finding,
                department=department,
                due_on=due.date,
                due_provisional=due.provisional,
            )
            audit.record(
                "oversight.finding.open",
                actor=actor,
                actor_name=actor_name,
                agency=agency,
                target=finding,
                to_state=rectification.state,
                request=request,
                data={
                    "source": source,
                    "source_ref": source_ref,
                    "department": department.pk,
                    "severity": severity,
                    "due_on": due.date.isoformat(),
                },
            )
            notify(
                recipients=_department_recipients(agency.pk, department.pk),
                kind="oversight_finding",
                title=_("限期整改：%(title)s（%(due)s前）")
                % {"title": title[:60], "due": due.date.isoformat()},
                body=description[:500],
                url=f"/staff/oversight/findings/{finding.pk}/",
                target=finding,
                agency=agency,
                dedupe_key=f"oversight.finding.open:{finding.pk}",
            )
    except IntegrityError:
        # Two callers opened the same source record at once: the other one won.
        if source_ref:
            known = Finding.objects.filter(agency=agency, source_ref=source_ref).first()
            if known is not None:
                return known
        raise
    return finding


# --- Constants and shared helpers -------------------------------------------------------------


EVIDENCE_PURPOSE = "oversight_evidence"
DOCUMENT_PURPOSE = "oversight_document"
# Photos of a site and scanned rectification reports: 20 MB is ample for either.
EVIDENCE_MAX_MB = 20
CIRCULAR_SERIES = "oversight.circular"
SWEEP_NAME = "oversight.escalation"
# Sources the legal office records by hand; the others come from their modules via finding_open.
MANUAL_SOURCES = (Source.COMPLAINT, Source.INSPECTION, Source.OTHER)
TEXT_MAX = 5000
REASON_MAX = 500
OPEN_STATES = (
    Rectification.State.AWAITING_MEASURES,
    Rectification.State.RECTIFYING,
    Rectification.State.SUBMITTED,
)
# The unit's turn: only these are escalated and make a unit's flag red or yellow.
UNIT_STATES = (Rectification.State.AWAITING_MEASURES, Rectification.State.RECTIFYING)
SWEEP_ACTOR = "fazhi sweep"


def _can_read_evidence(user, stored) -> bool:
    from fazhi.oversight.permissions.findings import can_read_finding

    findings = Finding.objects.filter(evidence=stored)
    rectifications = Rectification.objects.filter(completion_files=stored)
    return (
        stored.uploaded_by_id == user.pk
        or any(can_read_finding(user, f) for f in findings)
        or any(can_read_finding(user, r) for r in rectifications)
    )


def _can_read_document(user, stored) -> bool:
    from fazhi.oversight.permissions.findings import can_read_finding, works_with_findings

    rectifications = Rectification.objects.filter(escalations__document=stored)
    if any(can_read_finding(user, r) for r in rectifications):
        return True
    # An issued circular is read by everyone who works with findings in its agency.
    return Circular.objects.filter(
        document=stored, state=Circular.State.ISSUED
    ).exists() and works_with_findings(user)


def _people(agency_id: int, roles, department_id: int | None = None) -> list:
    memberships = Membership.objects.active().filter(agency_id=agency_id, role__in=list(roles))
    if department_id is not None:
        memberships = memberships.filter(department_id=department_id)
    return [m.user for m in memberships.select_related("user").order_by("pk")]


def _unit_people(rectification) -> list:
    """Who works the rectification in the unit: its head, liaison and clerks."""
    return _people(
        rectification.agency_id,
        [Role.DEPARTMENT_HEAD, Role.LIAISON, Role.CLERK],
        rectification.department_id,
    )


def _url(rectification) -> str:
    return f"/staff/oversight/findings/{rectification.finding_id}/"


def _day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _text(value: str, *, label: str, code: str, required: bool = True, limit=TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=code)
    if len(value) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": limit},
            code=f"{code}_too_long",
        )
    return value


def _day(on: date | None, *, label: str) -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise InvalidInput(_("%(label)s不能晚于今天。") % {"label": label}, code="date_in_future")
    return on


def _moment(on: date):
    """A timestamp on day `on`: now when it is today, else noon of that day (demo, imports)."""
    if on == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(on, time(12, 0)))


def _writer(actor, agency_id: int) -> None:
    if not getattr(actor, "is_authenticated", False) or agency_id not in writable_agency_ids(actor):
        raise NotAllowed()


def _legal_office(actor, agency_id: int) -> None:
    _writer(actor, agency_id)
    if not has_role(actor, Role.LEGAL_OFFICER, agency_id=agency_id):
        raise NotAllowed(_("只有法制办可以执行此操作。"), code="not_legal_office")


def _store(actor, agency, upload, purpose: str, request=None):
    from fazhi.core.files.services import file_store

    if hasattr(upload, "sha256") and hasattr(upload, "purpose"):  # already a StoredFile
        if upload.agency_id != agency.pk:
            raise InvalidInput(_("文件不属于本机关。"), code="file_agency")
        return upload
    return file_store(actor=actor, agency=agency, upload=upload, purpose=purpose, request=request)


def _lock(rectification) -> Rectification:
    return Rectification.objects.select_for_update().get(pk=rectification.pk)


# --- Opening by hand --------------------------------------------------------------------------


def finding_record(
    *,
    actor,
    agency,
    source: str,
    title: str,
    description: str,
    department,
    severity: str = Severity.GENERAL,
    legal_basis: str = "",
    subdistrict=None,
    committee=None,
    found_on: date | None = None,
    source_label: str = "",
    evidence: Iterable = (),
    request=None,
    on: date | None = None,
    source_ref: str = "",
) -> Finding:
    """The legal office opens a finding by hand (a complaint, its own inspection, other) with
    evidence files (uploads or stored files); the rectification starts as with `finding_open`.

    Raises NotAllowed for anyone but the agency's legal office, InvalidInput for bad input;
    nothing is written then (stored evidence rolls back with the finding).
    """
    _legal_office(actor, agency.pk)
    if source not in MANUAL_SOURCES:
        raise InvalidInput(
            _("手工登记的问题来源须为投诉举报、检查或其他。"), code="source_not_manual"
        )
    _text(description, label=_("问题描述"), code="description_required")
    _text(legal_basis, label=_("依据"), code="legal_basis", required=False)
    with transaction.atomic():
        files = [_store(actor, agency, f, EVIDENCE_PURPOSE, request) for f in evidence]
        return finding_open(
            agency=agency,
            source=source,
            title=title,
            description=description,
            department=department,
            severity=severity,
            legal_basis=legal_basis,
            subdistrict=subdistrict,
            committee=committee,
            found_on=found_on,
            source_label=source_label,
            source_ref=source_ref,
            evidence=files,
            actor=actor,
            request=request,
            on=on,
        )


def finding_attach_evidence(*, actor, finding: Finding, upload, request=None):
    """The legal office adds an evidence file to a finding; returns the stored file."""
    _legal_office(actor, finding.agency_id)
    with transaction.atomic():
        stored = _store(actor, finding.agency, upload, EVIDENCE_PURPOSE, request)
        finding.evidence.add(stored)
        audit.record(
            "oversight.finding.attach",
            actor=actor,
            agency=finding.agency,
            target=finding,
            request=request,
            data={"file": stored.pk, "name": stored.original_name},
        )
    return stored


# --- The rectification steps ------------------------------------------------------------------


def _may_rectify(actor, rectification) -> None:
    _writer(actor, rectification.agency_id)
    if not actor.has_perm(RECTIFY, rectification):
        raise NotAllowed(_("只有责任单位可以办理整改。"), code="not_responsible_unit")


def _may_verify(actor, rectification) -> None:
    _writer(actor, rectification.agency_id)
    if not actor.has_perm(VERIFY, rectification):
        raise NotAllowed(_("只有法制办可以核验销号或驳回。"), code="not_legal_office")


def _expect(rectification, state: str, action_label) -> None:
    if rectification.state != state:
        raise Conflict(
            _("该整改当前为“%(state)s”，不能%(action)s。可能已被他人处理，请刷新。")
            % {"state": rectification.get_state_display(), "action": action_label},
            code="state_changed",
        )


def rectification_propose_measures(
    *, actor, rectification: Rectification, measures: str, on: date | None = None
) -> Rectification:
    """The responsible unit commits to its measures (待制定整改措施 → 整改中)."""
    measures = _text(measures, label=_("整改措施"), code="measures_required")
    on = _day(on, label=_("日期"))
    with transaction.atomic():
        locked = _lock(rectification)
        _may_rectify(actor, locked)
        _expect(locked, Rectification.State.AWAITING_MEASURES, _("提交整改措施"))
        locked.measures = measures
        locked.measures_at = _moment(on)
        locked.save(update_fields=["measures", "measures_at", "updated_at"])
        done = perform(locked, "propose_measures", actor=actor, measures=measures[:500])
        notify(
            recipients=_people(locked.agency_id, [Role.LEGAL_OFFICER]),
            kind="oversight_rectification",
            title=_("已提交整改措施：%(title)s") % {"title": str(locked.finding)[:60]},
            body=measures[:500],
            url=_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return done


def rectification_attach_evidence(*, actor, rectification: Rectification, upload, request=None):
    """The unit adds a file to its evidence of completion (while it is rectifying)."""
    with transaction.atomic():
        locked = _lock(rectification)
        _may_rectify(actor, locked)
        if locked.state != Rectification.State.RECTIFYING:
            raise Conflict(_("只有整改中的问题可以上传整改佐证材料。"), code="state_changed")
        stored = _store(actor, locked.agency, upload, EVIDENCE_PURPOSE, request)
        locked.completion_files.add(stored)
        audit.record(
            "oversight.rectification.attach",
            actor=actor,
            agency=locked.agency,
            target=locked,
            request=request,
            from_state=locked.state,
            to_state=locked.state,
            data={"file": stored.pk, "name": stored.original_name},
        )
    return stored


def rectification_submit_evidence(
    *,
    actor,
    rectification: Rectification,
    completion_note: str,
    files: Iterable = (),
    on: date | None = None,
    request=None,
) -> Rectification:
    """整改完成，提交核验: the note on what was done, with the evidence files (those uploaded
    before and any given here). Refused without a file (the guard)."""
    note = _text(completion_note, label=_("整改情况"), code="completion_note_required")
    on = _day(on, label=_("日期"))
    with transaction.atomic():
        locked = _lock(rectification)
        _may_rectify(actor, locked)
        _expect(locked, Rectification.State.RECTIFYING, _("提交核验"))
        stored = [_store(actor, locked.agency, f, EVIDENCE_PURPOSE, request) for f in files]
        if stored:
            locked.completion_files.add(*stored)
        locked.completion_note = note
        locked.submitted_at = _moment(on)
        locked.save(update_fields=["completion_note", "submitted_at", "updated_at"])
        done = perform(
            locked,
            "submit_evidence",
            actor=actor,
            files=[f.pk for f in locked.completion_files.all()],
            completion_note=note[:500],
        )
        notify(
            recipients=_people(locked.agency_id, [Role.LEGAL_OFFICER]),
            kind="oversight_rectification",
            title=_("整改完成待核验：%(title)s") % {"title": str(locked.finding)[:60]},
            body=note[:500],
            url=_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return done


def rectification_verify(
    *, actor, rectification: Rectification, comment: str = "", on: date | None = None
) -> Rectification:
    """核验通过，销号: sets closed_on / closed_by. Refused without evidence (the guard)."""
    comment = _text(comment, label=_("核验意见"), code="comment", required=False, limit=REASON_MAX)
    on = _day(on, label=_("销号日期"))
    with transaction.atomic():
        locked = _lock(rectification)
        _may_verify(actor, locked)
        _expect(locked, Rectification.State.SUBMITTED, _("销号"))
        if locked.submitted_at and on < timezone.localdate(locked.submitted_at):
            raise InvalidInput(
                _("销号日期不能早于提交核验的日期。"), code="closed_before_submitted"
            )
        locked.closed_on = on
        locked.closed_by = actor
        locked.save(update_fields=["closed_on", "closed_by", "updated_at"])
        done = perform(locked, "verify", actor=actor, comment=comment, closed_on=on.isoformat())
        notify(
            recipients=_unit_people(locked),
            kind="oversight_rectification",
            title=_("已核验销号：%(title)s") % {"title": str(locked.finding)[:60]},
            body=comment,
            url=_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return done


def rectification_send_back(*, actor, rectification: Rectification, reason: str) -> Rectification:
    """驳回: not fixed yet; the reason goes to the unit, the deadline stands."""
    reason = _text(reason, label=_("驳回理由"), code="comment_required", limit=REASON_MAX)
    with transaction.atomic():
        locked = _lock(rectification)
        _may_verify(actor, locked)
        _expect(locked, Rectification.State.SUBMITTED, _("驳回"))
        done = perform(locked, "send_back", actor=actor, comment=reason)
        notify(
            recipients=_unit_people(locked),
            kind="oversight_rectification",
            title=_("整改被驳回：%(title)s") % {"title": str(locked.finding)[:60]},
            body=reason,
            url=_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return done


def rectification_set_due(
    *, actor, rectification: Rectification, due_on: date, reason: str
) -> Rectification:
    """The legal office changes a deadline by hand: to a working day of the calendar, not in
    the past, with a reason. Steps of the ladder already taken stay taken."""
    reason = _text(reason, label=_("调整理由"), code="reason_required", limit=REASON_MAX)
    if not isinstance(due_on, date):
        raise InvalidInput(_("请填写整改期限。"), code="due_required")
    if due_on < timezone.localdate():
        raise InvalidInput(_("整改期限不能早于今天。"), code="due_in_past")
    if not is_workday(due_on):
        raise InvalidInput(
            _("%(day)s 不是工作日，请选择工作日作为整改期限。") % {"day": _day_text(due_on)},
            code="due_not_workday",
        )
    with transaction.atomic():
        locked = _lock(rectification)
        _may_verify(actor, locked)
        if not locked.is_open:
            raise Conflict(_("已销号的整改不能调整期限。"), code="state_changed")
        before = locked.due_on
        if before == due_on:
            raise InvalidInput(_("新期限与原期限相同。"), code="due_unchanged")
        locked.due_on = due_on
        locked.due_provisional = is_provisional(due_on, due_on)
        locked.save(update_fields=["due_on", "due_provisional", "updated_at"])
        audit.record(
            "oversight.rectification.set_due",
            actor=actor,
            agency=locked.agency,
            target=locked,
            from_state=locked.state,
            to_state=locked.state,
            data={"from": before.isoformat(), "to": due_on.isoformat(), "comment": reason},
        )
        notify(
            recipients=_unit_people(locked),
            kind="oversight_rectification",
            title=_("整改期限调整为%(day)s：%(title)s")
            % {"day": _day_text(due_on), "title": str(locked.finding)[:60]},
            body=reason,
            url=_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return locked


# --- The escalation ladder --------------------------------------------------------------------


def ladder_settings(agency) -> dict[str, int]:
    return {
        "reminder": agency_settings.get(agency, "oversight.reminder_workdays"),
        "interview": agency_settings.get(agency, "oversight.interview_after_workdays"),
        "circular": agency_settings.get(agency, "oversight.circular_after_workdays"),
    }


def overdue_workdays(due_on: date, today: date) -> int:
    """Working days overdue: working days after `due_on` up to `today` (0 when not overdue;
    also 0 on a holiday right after the deadline, until the next working day)."""
    if today <= due_on:
        return 0
    return max(0, workdays_between(due_on, today))


def steps_due(due_on: date, today: date, settings: dict[str, int]) -> list[int]:
    """The steps of the ladder due on `today` for a rectification due on `due_on`."""
    Step = Escalation.Step
    late = overdue_workdays(due_on, today)
    if late == 0:
        if today > due_on:
            return []  # overdue by calendar, but the first working day overdue is still ahead
        left = workdays_between(today, due_on)
        return [Step.REMINDER] if left <= settings["reminder"] else []
    steps = [Step.NOTICE]
    if late >= settings["interview"]:
        steps.append(Step.INTERVIEW)
    if late >= settings["circular"]:
        steps.append(Step.CIRCULAR)
    return steps


def escalation_sweep(now: datetime) -> int:
    """The ladder over every open rectification the unit still works on; returns the steps
    taken. Safe to run twice and in parallel (a step exists at most once)."""
    from fazhi.core.notify.sweeps import PartialSweepFailure, describe

    today = timezone.localdate(now)
    taken = 0
    failures: list[str] = []
    pending = (
        Rectification.objects.filter(state__in=UNIT_STATES, level__lt=Rectification.Level.CIRCULAR)
        .select_related("agency")
        .order_by("pk")
    )
    settings_by_agency: dict[int, dict[str, int]] = {}
    for rectification in pending:
        agency_id = rectification.agency_id
        if agency_id not in settings_by_agency:
            settings_by_agency[agency_id] = ladder_settings(rectification.agency)
        try:
            taken += len(escalate(rectification, today, settings=settings_by_agency[agency_id]))
        except Exception as exc:  # one broken record must not stop the ladder
            logger.exception("Escalating rectification %s failed", rectification.pk)
            failures.append(f"rectification {rectification.pk}: {describe(exc)}")
    if failures:
        raise PartialSweepFailure(taken, failures)
    return taken


def escalate(rectification: Rectification, today: date, *, settings=None) -> list[Escalation]:
    """Take the steps of the ladder due on `today` that this rectification has not had yet.

    One transaction, the row locked; returns the new `Escalation` rows. Also called by the
    demo with past days to build a history the way the sweep would have.
    """
    settings = settings or ladder_settings(rectification.agency)
    created: list[Escalation] = []
    with transaction.atomic():
        locked = (
            Rectification.objects.select_for_update()
            .select_related("agency", "finding", "department")
            .get(pk=rectification.pk)
        )
        if locked.state not in UNIT_STATES:
            return []
        have = set(locked.escalations.values_list("step", flat=True))
        for step in steps_due(locked.due_on, today, settings):
            if step in have:
                continue
            created.append(_take_step(locked, step, today, settings))
        if created:
            level = max(max(have, default=0), *(e.step for e in created))
            if level != locked.level:
                locked.level = level
                locked.save(update_fields=["level", "updated_at"])
    return created


def _take_step(rectification, step: int, today: date, settings) -> Escalation:
    Step = Escalation.Step
    agency = rectification.agency
    finding = rectification.finding
    late = overdue_workdays(rectification.due_on, today)
    document = None
    if step == Step.NOTICE:
        document = _store_notice(rectification, today, late, settings)
    escalation = Escalation.objects.create(
        rectification=rectification, step=step, taken_on=today, document=document
    )
    audit.record(
        f"oversight.escalation.{Step(step).name.lower()}",
        actor_name=SWEEP_ACTOR,
        agency=agency,
        target=rectification,
        from_state=rectification.state,
        to_state=rectification.state,
        data={
            "step": step,
            "taken_on": today.isoformat(),
            "due_on": rectification.due_on.isoformat(),
            "overdue_workdays": late,
            "document": document.pk if document else None,
        },
    )
    title = str(finding)[:60]
    due = _day_text(rectification.due_on)
    unit = _people(agency.pk, [Role.DEPARTMENT_HEAD, Role.LIAISON], rectification.department_id)
    heads = _people(agency.pk, [Role.DEPARTMENT_HEAD], rectification.department_id)
    leaders = _people(agency.pk, [Role.LEADER])
    office = _people(agency.pk, [Role.LEGAL_OFFICER])
    if step == Step.REMINDER:
        recipients = _unit_people(rectification)
        subject = _("【整改即将到期】%(title)s") % {"title": title}
        body = _("整改期限为%(due)s，请按期完成整改并提交佐证材料。") % {"due": due}
    elif step == Step.NOTICE:
        recipients = unit + leaders + office
        subject = _("【督办单】%(title)s") % {"title": title}
        body = _("整改期限%(due)s已过，请责任单位负责人督促整改。督办单见问题页面。") % {"due": due}
    elif step == Step.INTERVIEW:
        recipients = heads + leaders + office
        subject = _("【约谈】%(title)s") % {"title": title}
        body = _(
            "逾期 %(n)d 个工作日仍未整改到位，将约谈责任单位负责人，请法制办记录约谈情况。"
        ) % {"n": late}
    else:
        recipients = heads + leaders + office
        subject = _("【通报】%(title)s") % {"title": title}
        body = _("逾期 %(n)d 个工作日仍未整改到位，将列入下一期通报。") % {"n": late}
    notify(
        recipients=recipients,
        kind="oversight_escalation",
        title=subject,
        body=body,
        url=_url(rectification),
        target=rectification,
        agency=agency,
        dedupe_key=f"oversight.escalation:{rectification.pk}:{step}",
    )
    return escalation


def notice_bytes(rectification, issued_on: date, settings=None) -> bytes:
    """The 督办单 of a rectification as of `issued_on` (DOCX)."""
    from fazhi.oversight.circulars import render_notice

    settings = settings or ladder_settings(rectification.agency)
    finding = rectification.finding
    return render_notice(
        agency_name=rectification.agency.name,
        department_name=rectification.department.name,
        finding_title=finding.title,
        finding_description=finding.description,
        legal_basis=finding.legal_basis,
        found_on=finding.found_on,
        due_on=rectification.due_on,
        overdue_workdays=overdue_workdays(rectification.due_on, issued_on),
        measures=rectification.measures,
        issued_on=issued_on,
        interview_after=settings["interview"],
    )


def _issuer(agency_id: int):
    """The account the ladder's documents are filed under: the agency's first legal officer
    (the 督办单 is the legal office's document). None when the agency has none."""
    people = _people(agency_id, [Role.LEGAL_OFFICER])
    return people[0] if people else None


def _store_notice(rectification, today: date, late: int, settings):
    from fazhi.core.files.services import file_store

    issuer = _issuer(rectification.agency_id)
    if issuer is None:
        # Nobody to file it under: the escalation stands without a stored copy and the
        # download renders the 督办单 from the record (the same text).
        return None
    content = notice_bytes(rectification, today, settings)
    return file_store(
        actor=issuer,
        agency=rectification.agency,
        upload=io.BytesIO(content),
        name=f"督办单-{rectification.finding_id}-{today.isoformat()}.docx",
        purpose=DOCUMENT_PURPOSE,
    )


def interview_record(*, actor, rectification: Rectification, note: str) -> Escalation:
    """The legal office records the 约谈: who met whom, when, what was agreed."""
    note = _text(note, label=_("约谈情况"), code="note_required")
    with transaction.atomic():
        locked = _lock(rectification)
        _legal_office(actor, locked.agency_id)
        escalation = (
            Escalation.objects.select_for_update()
            .filter(rectification=locked, step=Escalation.Step.INTERVIEW)
            .first()
        )
        if escalation is None:
            raise Conflict(_("该整改尚未到约谈环节。"), code="no_interview")
        if escalation.note:
            raise Conflict(_("约谈情况已记录。"), code="interview_recorded")
        escalation.note = note
        escalation.save(update_fields=["note"])
        audit.record(
            "oversight.escalation.interview_note",
            actor=actor,
            agency=locked.agency,
            target=locked,
            from_state=locked.state,
            to_state=locked.state,
            data={"comment": note[:500]},
        )
    return escalation


# --- Circulars (通报) -------------------------------------------------------------------------


def circular_create(*, actor, agency, title: str, period_start: date, period_end: date) -> Circular:
    """A draft circular for a period; what it lists is read live until it is issued."""
    _legal_office(actor, agency.pk)
    title = _text(title, label=_("标题"), code="title_required", limit=200)
    if not isinstance(period_start, date) or not isinstance(period_end, date):
        raise InvalidInput(_("请填写通报期间。"), code="period_required")
    if period_end < period_start:
        raise InvalidInput(_("截止日期不能早于起始日期。"), code="period_order")
    if period_end > timezone.localdate():
        raise InvalidInput(_("截止日期不能晚于今天。"), code="period_in_future")
    with transaction.atomic():
        circular = Circular.objects.create(
            agency=agency,
            title=title,
            period_start=period_start,
            period_end=period_end,
            created_by=actor,
        )
        audit.record(
            "oversight.circular.create",
            actor=actor,
            agency=agency,
            target=circular,
            to_state=circular.state,
            data={"period_start": period_start.isoformat(), "period_end": period_end.isoformat()},
        )
    return circular


def circular_rectifications(circular: Circular):
    """What a draft lists: the rectifications of the findings found in the period, and every
    one that reached the 通报 step and no issued circular has listed yet."""
    from django.db.models import Q

    return (
        Rectification.objects.filter(agency_id=circular.agency_id)
        .filter(
            Q(
                finding__found_on__gte=circular.period_start,
                finding__found_on__lte=circular.period_end,
            )
            | Q(escalations__step=Escalation.Step.CIRCULAR, escalations__circular__isnull=True)
        )
        .select_related("finding", "department", "finding__subdistrict")
        .distinct()
        .order_by("finding__found_on", "pk")
    )


def snapshot_item(rectification, circular, today: date) -> dict:
    finding = rectification.finding
    escalated_ids = getattr(rectification, "_escalated", None)
    escalated = (
        escalated_ids
        if escalated_ids is not None
        else rectification.escalations.filter(step=Escalation.Step.CIRCULAR).exists()
    )
    return {
        "rectification": rectification.pk,
        "finding": finding.pk,
        "title": finding.title,
        "department": rectification.department.name,
        "subdistrict": finding.subdistrict.name if finding.subdistrict_id else "",
        "severity": finding.severity,
        "severity_label": str(finding.get_severity_display()),
        "source_label": str(finding.get_source_display()),
        "found_on": finding.found_on.isoformat(),
        "found_text": _day_text(finding.found_on),
        "due_on": rectification.due_on.isoformat(),
        "due_text": _day_text(rectification.due_on),
        "state": rectification.state,
        "state_label": str(rectification.get_state_display()),
        "closed_on": rectification.closed_on.isoformat() if rectification.closed_on else "",
        "closed_text": (
            _("%(day)s销号") % {"day": _day_text(rectification.closed_on)}
            if rectification.closed_on
            else ""
        ),
        "level": rectification.level,
        "level_label": str(rectification.get_level_display()),
        "overdue_workdays": (
            overdue_workdays(rectification.due_on, today) if rectification.is_open else 0
        ),
        "in_period": circular.period_start <= finding.found_on <= circular.period_end,
        "escalated": bool(escalated),
    }


def circular_items(circular: Circular, today: date | None = None) -> list[dict]:
    """The rows of the circular: frozen when issued, else computed now (three queries)."""
    if circular.state == Circular.State.ISSUED:
        return list((circular.snapshot or {}).get("items", []))
    today = today or timezone.localdate()
    rows = list(circular_rectifications(circular))
    escalated = set(
        Escalation.objects.filter(
            rectification__in=[r.pk for r in rows], step=Escalation.Step.CIRCULAR
        ).values_list("rectification_id", flat=True)
    )
    for row in rows:
        row._escalated = row.pk in escalated
    return [snapshot_item(row, circular, today) for row in rows]


def circular_issue(*, actor, circular: Circular, issued_on: date | None = None) -> Circular:
    """印发: draw the number, freeze the list, render and store the DOCX, and mark the 通报
    steps of the listed rectifications as done by this circular."""
    from fazhi.core.files.services import file_store
    from fazhi.core.numbering import number_allocate
    from fazhi.oversight.circulars import render_circular

    issued_on = _day(issued_on, label=_("印发日期"))
    with transaction.atomic():
        locked = Circular.objects.select_for_update().select_related("agency").get(pk=circular.pk)
        _legal_office(actor, locked.agency_id)
        if locked.state != Circular.State.DRAFT:
            raise Conflict(_("该通报已印发。"), code="state_changed")
        if issued_on < locked.period_end:
            raise InvalidInput(_("印发日期不能早于通报截止日期。"), code="issued_before_period")
        rows = list(circular_rectifications(locked))
        items = circular_items(locked, today=issued_on)
        number = number_allocate(
            actor=actor,
            agency=locked.agency,
            key=CIRCULAR_SERIES,
            year=issued_on.year,
            target=locked,
        )
        snapshot = {
            "period": {
                "start": locked.period_start.isoformat(),
                "end": locked.period_end.isoformat(),
                "start_text": _day_text(locked.period_start),
                "end_text": _day_text(locked.period_end),
            },
            "number": number.text,
            "issued_on": issued_on.isoformat(),
            "items": items,
        }
        content = render_circular(
            agency_name=locked.agency.name,
            title=locked.title,
            number=number.text,
            issued_on=issued_on,
            snapshot=snapshot,
        )
        document = file_store(
            actor=actor,
            agency=locked.agency,
            upload=io.BytesIO(content),
            name=f"{locked.title[:60]}.docx",
            purpose=DOCUMENT_PURPOSE,
        )
        locked.state = Circular.State.ISSUED
        locked.number = number
        locked.issued_on = issued_on
        locked.snapshot = snapshot
        locked.document = document
        locked.save(update_fields=["state", "number", "issued_on", "snapshot", "document"])
        locked.rectifications.set(rows)
        marked = Escalation.objects.filter(
            rectification__in=rows, step=Escalation.Step.CIRCULAR, circular__isnull=True
        ).update(circular=locked)
        audit.record(
            "oversight.circular.issue",
            actor=actor,
            agency=locked.agency,
            target=locked,
            from_state=Circular.State.DRAFT,
            to_state=Circular.State.ISSUED,
            data={
                "number": number.text,
                "issued_on": issued_on.isoformat(),
                "rectifications": [r.pk for r in rows],
                "escalations_marked": marked,
                "document": document.pk,
            },
        )
        departments = {r.department_id for r in rows}
        notify(
            recipients=[
                p
                for d in sorted(departments)
                for p in _people(locked.agency_id, [Role.DEPARTMENT_HEAD], d)
            ]
            + _people(locked.agency_id, [Role.LEADER]),
            kind="oversight_circular",
            title=_("通报已印发：%(number)s %(title)s")
            % {"number": number.text, "title": locked.title[:60]},
            url=f"/staff/oversight/findings/circulars/{locked.pk}/",
            target=locked,
            agency=locked.agency,
            dedupe_key=f"oversight.circular.issue:{locked.pk}",
        )
    return locked


# --- Accountability (责任追究) ----------------------------------------------------------------


def accountability_record(
    *,
    actor,
    finding: Finding,
    person_name: str,
    measure: str,
    decided_on: date,
    decided_by: str,
    position: str = "",
    basis: str = "",
    note: str = "",
    person=None,
) -> AccountabilityRecord:
    """The legal office records the measure decided for a person answerable for a finding."""
    _legal_office(actor, finding.agency_id)
    person_name = _text(person_name, label=_("责任人"), code="person_required", limit=50)
    decided_by = _text(decided_by, label=_("决定机关"), code="decided_by_required", limit=100)
    position = _text(position, label=_("职务"), code="position", required=False, limit=100)
    basis = _text(basis, label=_("依据"), code="basis", required=False)
    note = _text(note, label=_("备注"), code="note", required=False)
    if measure not in AccountabilityRecord.Measure.values:
        raise InvalidInput(_("请选择处理措施。"), code="measure_unknown")
    if not isinstance(decided_on, date):
        raise InvalidInput(_("请填写决定日期。"), code="decided_on_required")
    decided_on = _day(decided_on, label=_("决定日期"))
    if decided_on < finding.found_on:
        raise InvalidInput(_("决定日期不能早于问题发现日期。"), code="decided_before_found")
    if (
        person is not None
        and not Membership.objects.active()
        .filter(user=person, agency_id=finding.agency_id)
        .exists()
    ):
        raise InvalidInput(_("责任人账号不属于本机关。"), code="person_agency")
    with transaction.atomic():
        record = AccountabilityRecord.objects.create(
            agency_id=finding.agency_id,
            finding=finding,
            person_name=person_name,
            person=person,
            position=position,
            measure=measure,
            decided_on=decided_on,
            decided_by=decided_by,
            basis=basis,
            note=note,
            recorded_by=actor,
        )
        audit.record(
            "oversight.accountability.record",
            actor=actor,
            agency=finding.agency,
            target=finding,
            data={
                "record": record.pk,
                "person_name": person_name,
                "measure": measure,
                "decided_on": decided_on.isoformat(),
                "comment": f"{person_name}：{record.get_measure_display()}",
            },
        )
    return record


__all__ = [
    "CIRCULAR_SERIES",
    "DOCUMENT_PURPOSE",
    "EVIDENCE_PURPOSE",
    "DomainError",
    "accountability_record",
    "circular_create",
    "circular_issue",
    "circular_items",
    "escalate",
    "escalation_sweep",
    "finding_attach_evidence",
    "finding_open",
    "finding_record",
    "interview_record",
    "overdue_workdays",
    "rectification_attach_evidence",
    "rectification_propose_measures",
    "rectification_send_back",
    "rectification_set_due",
    "rectification_submit_evidence",
    "rectification_verify",
    "steps_due",
]
