"""Who may do what with findings and their rectification.

The legal office opens findings, verifies and closes (销号) or sends back (驳回), issues
circulars and records accountability. The responsible department's clerks, head and liaison
propose measures and submit evidence; they read their own department's findings. Leaders read
all of the agency's, district oversight the region's.
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role
from fazhi.oversight.permissions.base import department_ids, is_legal_office, reads_everything


@rules.predicate
def of_responsible_department(user, rectification) -> bool:
    if rectification is None:
        return False
    return rectification.department_id in department_ids(user, rectification.agency_id)


@rules.predicate
def can_read_finding(user, record) -> bool:
    """`record` is a Finding or a Rectification."""
    if record is None:
        return False
    if reads_everything(user, record):
        return True
    return record.department_id in department_ids(user, record.agency_id)


@rules.predicate
def works_with_findings(user) -> bool:
    return has_role(
        user,
        Role.LEGAL_OFFICER,
        Role.LEADER,
        Role.DISTRICT_OVERSEER,
        Role.CLERK,
        Role.DEPARTMENT_HEAD,
        Role.LIAISON,
    )


legal_office = rules.predicate(is_legal_office, name="oversight_legal_office")

rules.add_perm("oversight.view_findings", works_with_findings)
rules.add_perm("oversight.view_finding", can_read_finding)
rules.add_perm("oversight.open_finding", legal_office)
rules.add_perm("oversight.rectify", of_responsible_department)
rules.add_perm("oversight.verify_rectification", legal_office)
rules.add_perm("oversight.manage_circulars", legal_office)
rules.add_perm("oversight.record_accountability", legal_office)
