"""Who may do what in the cases area (`rules` predicates); see permissions/__init__.py.

- Counter work (register a case at a center or from an appointment, the ID-card lookup): the
  agency's clerks, department heads and liaisons of any department, and the legal office.
- Handling (受理/不予受理, 审查, 补正, 拟办意见, 办结, 送达): clerks of the case's department and
  the legal office. Deciding (准予/不予): the head of the case's department or the legal office.
- Reading: the legal office and leaders read all of the agency's cases, district overseers the
  region's (never writing); department staff read their own departments' cases and the cases
  they registered themselves at the counter (least privilege: the lookup shows a person's cases
  in other departments as a line each, not their files).
- 催办: the legal office, leaders and the head of the case's department; 转办: the handler, to a
  clerk of the department (or the legal office).
- A full ID number or phone (查看完整号码, with a reason): the agency's staff who read the case.
A predicate given no case answers False, so django-fsm's fallback check without an object
(`user.has_perm(perm)`) never lets anyone through.
"""

from __future__ import annotations

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, readable_agency_ids, writable_agency_ids

DEPARTMENT_ROLES = (Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON)
COUNTER_ROLES = (*DEPARTMENT_ROLES, Role.LEGAL_OFFICER)
_MEMO = "_fazhi_case_departments"


def _departments(user) -> dict[tuple[int, str], frozenset[int]]:
    """{(agency_id, role): department ids} of the user's active department memberships,
    memoised on the user object like core.tenancy's roles (one query per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _MEMO, None)
    if cached is None:
        found: dict[tuple[int, str], set[int]] = {}
        rows = (
            user.memberships.active()
            .filter(role__in=DEPARTMENT_ROLES, department__isnull=False)
            .values_list("agency_id", "role", "department_id")
        )
        for agency_id, role, department_id in rows:
            found.setdefault((agency_id, role), set()).add(department_id)
        cached = {key: frozenset(value) for key, value in found.items()}
        setattr(user, _MEMO, cached)
    return cached


def department_ids(user, agency_id: int, roles=DEPARTMENT_ROLES) -> frozenset[int]:
    held = _departments(user)
    return frozenset().union(*(held.get((agency_id, role), frozenset()) for role in roles))


def is_office(user, agency_id: int) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, agency_id=agency_id)


def reads_all(user, agency_id: int) -> bool:
    """Reads every case of the agency: its legal office and leaders, district oversight."""
    if agency_id not in readable_agency_ids(user):
        return False
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, agency_id=agency_id) or has_role(
        user, Role.DISTRICT_OVERSEER
    )


def counter_agency_ids(user) -> set[int]:
    """Agencies where the user may do counter work (and write)."""
    writable = writable_agency_ids(user)
    return {a for a in writable if has_role(user, *COUNTER_ROLES, agency_id=a)}


def may_read(user, case) -> bool:
    if case is None:
        return False
    if reads_all(user, case.agency_id):
        return True
    if case.agency_id not in readable_agency_ids(user):
        return False
    return case.department_id in department_ids(user, case.agency_id) or (
        case.created_by_id is not None and case.created_by_id == user.pk
    )


def _writes(user, case) -> bool:
    return case is not None and case.agency_id in writable_agency_ids(user)


def may_reveal(user, case) -> bool:
    """A full number is shown (with a reason, audited) to the agency's own staff who read the
    case — not to district overseers, who read the region's records masked."""
    return may_read(user, case) and _writes(user, case)


def may_handle(user, case) -> bool:
    if not _writes(user, case):
        return False
    return is_office(user, case.agency_id) or case.department_id in department_ids(
        user, case.agency_id, (Role.CLERK,)
    )


def may_decide(user, case) -> bool:
    if not _writes(user, case):
        return False
    return is_office(user, case.agency_id) or case.department_id in department_ids(
        user, case.agency_id, (Role.DEPARTMENT_HEAD,)
    )


def may_urge(user, case) -> bool:
    if not _writes(user, case):
        return False
    return has_role(
        user, Role.LEGAL_OFFICER, Role.LEADER, agency_id=case.agency_id
    ) or case.department_id in department_ids(user, case.agency_id, (Role.DEPARTMENT_HEAD,))


@rules.predicate
def works_with_cases(user) -> bool:
    return has_role(
        user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER, *DEPARTMENT_ROLES
    )


@rules.predicate
def does_counter_work(user) -> bool:
    return bool(counter_agency_ids(user))


@rules.predicate
def can_read_case(user, case) -> bool:
    return may_read(user, case)


@rules.predicate
def can_handle_case(user, case) -> bool:
    return may_handle(user, case)


@rules.predicate
def can_decide_case(user, case) -> bool:
    return may_decide(user, case)


rules.add_perm("services.view_cases", works_with_cases)
rules.add_perm("services.view_case", can_read_case)
rules.add_perm("services.register_case", does_counter_work)
rules.add_perm("services.lookup_cases", does_counter_work)
rules.add_perm("services.handle_case", can_handle_case)
rules.add_perm("services.decide_case", can_decide_case)
