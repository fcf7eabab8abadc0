"""Demo data of the comprehensive evaluation (综合考评): two active schemes (departments;
subdistricts) and the past twelve full months evaluated, computed and published.

It runs after the other oversight areas' demos and reads their records through the
indicators. Everything goes through the services. Idempotent: a scheme of the same name is
reused, and a scheme that already has an evaluation gets no other, so running again (even on a
later day) creates nothing new and re-dates nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fazhi.core.models import Membership
from fazhi.core.roles import Role
from fazhi.oversight.models import Evaluation, EvaluationScheme
from fazhi.oversight.services import evaluation as services

W = services.IndicatorWeight

SCHEMES = (
    (
        "科室综合考评方案",
        "department",
        "对各科室、直属单位依法行政情况的年度综合考评：案卷评查、按期整改、明察暗访。",
        [W("spot_check_score", 40), W("rectification_on_time", 30), W("visit_score", 30)],
    ),
    (
        "街道/镇综合考评方案",
        "subdistrict",
        "对各街道、镇的年度综合考评：按期整改、明察暗访、居（村）务公开及时率。",
        [W("rectification_on_time", 30), W("visit_score", 30), W("committee_timeliness", 40)],
    ),
)


def past_twelve_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve full months before this one: e.g. 2025-11-01 – 2026-10-31 on 2026-11-27."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    start_month = end.month % 12 + 1
    start_year = end.year - (1 if start_month != 1 else 0)
    return dt.date(start_year, start_month, 1), end


def _officer(agency):
    membership = (
        Membership.objects.active()
        .filter(agency=agency, role=Role.LEGAL_OFFICER, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _scheme(officer, agency, name, unit_kind, description, weights) -> EvaluationScheme:
    latest = EvaluationScheme.objects.filter(agency=agency, name=name).order_by("-version").first()
    if latest is None:
        latest = services.scheme_create(
            actor=officer,
            agency=agency,
            name=name,
            unit_kind=unit_kind,
            description=description,
            indicators=weights,
        )
    if latest.state == EvaluationScheme.State.DRAFT:
        latest = services.scheme_activate(actor=officer, scheme=latest)
    return latest


def build(agency) -> None:
    officer = _officer(agency)
    if officer is None:
        return
    start, end = past_twelve_months(timezone.localdate())
    for name, unit_kind, description, weights in SCHEMES:
        scheme = _scheme(officer, agency, name, unit_kind, description, weights)
        if Evaluation.objects.filter(agency=agency, scheme__name=name).exists():
            continue
        if scheme.state != EvaluationScheme.State.ACTIVE:
            continue
        evaluation = services.evaluation_create(
            actor=officer,
            scheme=scheme,
            period_start=start,
            period_end=end,
            title=f"{start.year}年{start.month}月至{end.year}年{end.month}月{name[:-2]}结果",
        )
        evaluation = services.evaluation_compute(actor=officer, evaluation=evaluation)
        services.evaluation_publish(actor=officer, evaluation=evaluation)
