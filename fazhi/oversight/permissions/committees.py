"""Who may do what with committee affairs disclosure (居务/村务公开).

Committee staff record their own committee's postings; the legal office keeps the required
items, imports postings, runs the check; leaders and district oversight read.
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role


@rules.predicate
def works_with_committees(user) -> bool:
    return has_role(
        user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER, Role.COMMITTEE_CLERK
    )


rules.add_perm("oversight.view_committees", works_with_committees)
