"""Who may do what with online appointments (`rules` predicates); see permissions/__init__.py.

- Citizens book, look up and cancel their own appointments on the portal with the booking
  number and their ID number (no account).
- Counter work — checking people in, recording a no-show, registering a case from an
  appointment — is for the agency's department staff (clerk, department head, liaison, of any
  department: the counter serves every department) and the legal office.
- Leaders and district overseers read the day lists; overseers never write.
"""

from __future__ import annotations

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, writable_agency_ids
from fazhi.services.permissions import works_with_services

COUNTER_ROLES = (Role.LEGAL_OFFICER, Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON)


def may_work_counter(user, agency_id: int) -> bool:
    """Counter staff of `agency_id`: check-in and no-show."""
    return agency_id in writable_agency_ids(user) and has_role(
        user, *COUNTER_ROLES, agency_id=agency_id
    )


@rules.predicate
def works_at_counter(user) -> bool:
    return has_role(user, *COUNTER_ROLES)


rules.add_perm("services.view_appointments", works_with_services)
rules.add_perm("services.appointments_counter", works_at_counter)
