"""Who may do what with supervisors, visits and inspections.

The legal office keeps the roster, the visit checklist and monthly plans, and the third-party
contracts, and runs its own routine inspections; supervisors file their visits; a contracted
organisation's inspectors inspect the subdistricts of their contract; leaders and district
oversight read everything. A department reads the open (明察) plans and visits of its own
department — an unannounced visit (暗访) is never shown to the department visited; what it
found reaches the department as a finding.
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role
from fazhi.oversight.permissions.base import department_ids, is_legal_office, reads_everything

DEPARTMENT_STAFF = (Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON)


@rules.predicate
def works_with_visits(user) -> bool:
    return has_role(
        user,
        Role.LEGAL_OFFICER,
        Role.LEADER,
        Role.DISTRICT_OVERSEER,
        Role.SUPERVISOR,
        *DEPARTMENT_STAFF,
    )


@rules.predicate
def works_with_inspections(user) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER, Role.INSPECTOR)


@rules.predicate
def keeps_roster(user) -> bool:
    """The legal office of some agency (the services check the record's agency again)."""
    return has_role(user, Role.LEGAL_OFFICER)


@rules.predicate
def reads_all_visits(user) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER)


@rules.predicate
def is_supervisor(user) -> bool:
    return has_role(user, Role.SUPERVISOR)


@rules.predicate
def can_read_visit(user, record) -> bool:
    """`record` is a Visit or a VisitPlan."""
    if record is None:
        return False
    if reads_everything(user, record):
        return True
    if record.supervisor.user_id is not None and record.supervisor.user_id == user.pk:
        return True
    return (
        record.mode == "open"
        and record.department_id is not None
        and record.department_id in department_ids(user, record.agency_id, DEPARTMENT_STAFF)
    )


@rules.predicate
def office_of_record(user, record) -> bool:
    return record is not None and is_legal_office(user, record)


@rules.predicate
def reads_inspection_results(user) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER)


rules.add_perm("oversight.view_visits", works_with_visits)
rules.add_perm("oversight.view_visit", can_read_visit)
rules.add_perm("oversight.manage_supervisors", keeps_roster)
rules.add_perm("oversight.view_supervisors", reads_all_visits)
rules.add_perm("oversight.file_visit", is_supervisor)
rules.add_perm("oversight.visit_to_finding", office_of_record)
rules.add_perm("oversight.view_inspections", works_with_inspections)
rules.add_perm("oversight.view_inspection_results", reads_inspection_results)
rules.add_perm("oversight.manage_inspections", keeps_roster)
