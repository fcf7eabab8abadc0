"""Who may do what with the comprehensive evaluation (综合考评).

The legal office writes schemes, computes and publishes; leaders and district oversight read
everything; department heads read the published results.
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role


@rules.predicate
def works_with_evaluations(user) -> bool:
    return has_role(
        user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER, Role.DEPARTMENT_HEAD
    )


rules.add_perm("oversight.view_evaluations", works_with_evaluations)
