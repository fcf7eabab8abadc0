"""Who may do what with the power list and the service guides (`rules` predicates).

- The legal office (法制办) edits the whole draft list, imports it, publishes lists and guides.
- Department heads, clerks and liaisons edit the draft powers, items and guide drafts of their
  own department (责任处室); they cannot publish.
- Leaders and district overseers read; overseers never write. The public reads what is published.
"""

from __future__ import annotations

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, readable_agency_ids

DEPARTMENT_EDITORS = (Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON)


def department_ids(user, agency_id: int) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        user.memberships.active()
        .filter(agency_id=agency_id, role__in=DEPARTMENT_EDITORS, department__isnull=False)
        .values_list("department_id", flat=True)
    )


def is_office(user, agency_id: int) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, agency_id=agency_id)


def may_read(user, agency_id: int) -> bool:
    if agency_id not in readable_agency_ids(user):
        return False
    return has_role(
        user, Role.LEGAL_OFFICER, Role.LEADER, *DEPARTMENT_EDITORS, agency_id=agency_id
    ) or has_role(user, Role.DISTRICT_OVERSEER)


def may_edit_department(user, agency_id: int, department_id: int | None) -> bool:
    """Edit drafts whose responsible department is `department_id` (None: any — office only)."""
    if is_office(user, agency_id):
        return True
    return department_id is not None and department_id in department_ids(user, agency_id)


@rules.predicate
def works_with_services(user) -> bool:
    return has_role(
        user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER, *DEPARTMENT_EDITORS
    )


@rules.predicate
def edits_powers(user) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, *DEPARTMENT_EDITORS)


@rules.predicate
def is_any_office(user) -> bool:
    return has_role(user, Role.LEGAL_OFFICER)


rules.add_perm("services.view_area", works_with_services)
rules.add_perm("services.view_powers", works_with_services)
rules.add_perm("services.edit_powers", edits_powers)
rules.add_perm("services.manage_powers", is_any_office)
