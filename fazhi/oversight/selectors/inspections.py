"""Reading inspections and third-party contracts, scoped to what the user may see.

The legal office, leaders and district oversight read every inspection of their agencies; an
inspector reads only the third-party inspections and contracts they are named on. The results
by subdistrict are for the legal office, leaders and oversight only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fazhi.core.models import Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import access, agencies_with_role, readable_agency_ids
from fazhi.oversight.models import Finding, Inspection, InspectionContract, Rectification, Source
from fazhi.oversight.selectors.visits import all_reading_agency_ids


def _inspector_agencies(user) -> list[int]:
    return agencies_with_role(user, Role.INSPECTOR)


def inspections_for(user) -> QuerySet[Inspection]:
    if not getattr(user, "is_authenticated", False):
        return Inspection.objects.none()
    condition = Q(agency_id__in=all_reading_agency_ids(user))
    inspector_of = _inspector_agencies(user)
    if inspector_of:
        condition |= Q(
            agency_id__in=inspector_of,
            kind=Inspection.Kind.THIRD_PARTY,
            contract__inspectors=user,
        )
    return (
        Inspection.objects.filter(condition, agency_id__in=readable_agency_ids(user))
        .distinct()
        .select_related("agency", "contract", "subdistrict", "department", "report")
    )


def access_inspection(user, inspection_id) -> Inspection:
    return access(user, inspections_for(user), inspection_id)


def inspection_list(
    user,
    *,
    kind: str = "",
    state: str = "",
    subdistrict: int | None = None,
    contract: int | None = None,
    year: int | None = None,
) -> QuerySet[Inspection]:
    rows = inspections_for(user)
    if kind:
        rows = rows.filter(kind=kind)
    if state:
        rows = rows.filter(state=state)
    if subdistrict:
        rows = rows.filter(subdistrict_id=subdistrict)
    if contract:
        rows = rows.filter(contract_id=contract)
    if year:
        rows = rows.filter(inspected_to__year=year)
    return rows.order_by("-inspected_to", "-pk")


def contracts_for(user) -> QuerySet[InspectionContract]:
    if not getattr(user, "is_authenticated", False):
        return InspectionContract.objects.none()
    condition = Q(agency_id__in=all_reading_agency_ids(user))
    inspector_of = _inspector_agencies(user)
    if inspector_of:
        condition |= Q(agency_id__in=inspector_of, inspectors=user)
    return (
        InspectionContract.objects.filter(condition, agency_id__in=readable_agency_ids(user))
        .distinct()
        .select_related("agency")
        .prefetch_related("subdistricts", "inspectors")
    )


def access_contract(user, contract_id) -> InspectionContract:
    return access(user, contracts_for(user), contract_id)


def findings_of(inspection: Inspection) -> QuerySet[Finding]:
    from fazhi.oversight.services.inspections import source_ref_prefix

    return (
        Finding.objects.filter(
            agency_id=inspection.agency_id,
            source_ref__startswith=source_ref_prefix(inspection),
        )
        .select_related("department", "rectification")
        .prefetch_related("evidence")
        .order_by("pk")
    )


@dataclass
class SubdistrictResult:
    subdistrict: Subdistrict
    latest: Inspection | None = None
    inspections: int = 0
    findings: int = 0
    open: int = 0
    closed: int = 0
    history: list = field(default_factory=list)


INSPECTION_SOURCES = (Source.THIRD_PARTY, Source.INSPECTION)


def results_by_subdistrict(agency_id: int, *, year: int | None = None) -> list[SubdistrictResult]:
    """Per subdistrict: the latest submitted inspection with a score, how many inspections were
    submitted, and the findings of inspections there (open and closed). Three queries."""
    subdistricts = list(
        Subdistrict.objects.filter(agency_id=agency_id).order_by("sort_order", "name")
    )
    results = {s.pk: SubdistrictResult(subdistrict=s) for s in subdistricts}
    inspections = Inspection.objects.filter(
        agency_id=agency_id, state=Inspection.State.SUBMITTED, subdistrict__isnull=False
    ).select_related("contract")
    if year:
        inspections = inspections.filter(inspected_to__year=year)
    for inspection in inspections.order_by("inspected_to", "pk"):
        result = results.get(inspection.subdistrict_id)
        if result is None:
            continue
        result.inspections += 1
        if inspection.score is not None:
            result.latest = inspection
            result.history.append(inspection)
    findings = Finding.objects.filter(
        agency_id=agency_id, source__in=INSPECTION_SOURCES, subdistrict__isnull=False
    )
    if year:
        findings = findings.filter(found_on__year=year)
    counts = findings.values("subdistrict_id", "rectification__state").annotate(n=Count("pk"))
    for row in counts:
        result = results.get(row["subdistrict_id"])
        if result is None:
            continue
        result.findings += row["n"]
        if row["rectification__state"] == Rectification.State.CLOSED:
            result.closed += row["n"]
        else:
            result.open += row["n"]
    return list(results.values())


def inspection_years(agency_id: int) -> list[int]:
    years = {
        d.year for d in Inspection.objects.filter(agency_id=agency_id).dates("inspected_to", "year")
    }
    return sorted(years | {timezone.localdate().year}, reverse=True)
