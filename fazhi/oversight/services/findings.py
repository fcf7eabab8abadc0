"""Findings and their rectification: the one loop every kind of oversight feeds.

`finding_open` is the entry other modules call (spot checks, visits, inspections, the committee
check here; the services module's bad reviews later): it validates, records the finding and its
rectification with the deadline from the working-day calendar, writes the audit event and tells
the responsible department, all in one transaction. Opening from the same source record twice
returns the first finding (idempotent on `source_ref`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import agency_settings, audit
from fazhi.core.calendar import add_workdays_result
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Membership
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.oversight.conf import RECTIFY_WORKDAYS
from fazhi.oversight.models import Finding, Rectification, Severity, Source

TITLE_MAX = 200


def ready() -> None:
    """Registrations of the findings area (sweeps, deadline sources, 待办, file uses)."""


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
                kind="oversight.finding",
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
