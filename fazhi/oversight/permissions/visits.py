"""Who may do what with supervisors, visits and inspections.

The legal office keeps the roster, the visit checklist and monthly plans, and the third-party
contracts; supervisors file their visits; a contracted organisation's inspectors upload the
special report of the subdistricts in their contract; leaders and district oversight read.
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role


@rules.predicate
def works_with_visits(user) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER, Role.SUPERVISOR)


@rules.predicate
def works_with_inspections(user) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER, Role.INSPECTOR)


rules.add_perm("oversight.view_visits", works_with_visits)
rules.add_perm("oversight.view_inspections", works_with_inspections)
