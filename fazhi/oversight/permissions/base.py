"""Predicates shared by the oversight areas."""

from __future__ import annotations

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, readable_agency_ids


def agency_of(obj) -> int | None:
    return getattr(obj, "agency_id", None)


def is_legal_office(user, obj=None) -> bool:
    """The legal office runs oversight; with an object, of the object's agency."""
    agency_id = agency_of(obj) if obj is not None else None
    return has_role(user, Role.LEGAL_OFFICER, agency_id=agency_id)


def reads_everything(user, obj=None) -> bool:
    """Legal office and leaders of the agency; district oversight of the region (read only)."""
    if obj is None:
        return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER)
    agency_id = agency_of(obj)
    if agency_id not in readable_agency_ids(user):
        return False
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, agency_id=agency_id) or has_role(
        user, Role.DISTRICT_OVERSEER
    )


def department_ids(user, agency_id: int | None = None, roles=None) -> set[int]:
    """The departments in which the user holds a department role (optionally of an agency)."""
    if not user.is_authenticated:
        return set()
    roles = roles or (Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON)
    memberships = user.memberships.active().filter(role__in=roles, department__isnull=False)
    if agency_id is not None:
        memberships = memberships.filter(agency_id=agency_id)
    return set(memberships.values_list("department_id", flat=True))


def committee_ids(user, agency_id: int | None = None) -> set[int]:
    if not user.is_authenticated:
        return set()
    memberships = user.memberships.active().filter(
        role=Role.COMMITTEE_CLERK, committee__isnull=False
    )
    if agency_id is not None:
        memberships = memberships.filter(agency_id=agency_id)
    return set(memberships.values_list("committee_id", flat=True))
