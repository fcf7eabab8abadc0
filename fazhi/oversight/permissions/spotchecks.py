"""Who may do what with spot checks of case files (案卷评查).

The legal office keeps checklists and the reviewer pool, plans and draws; reviewers score the
files drawn to them; leaders and district oversight read.
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role


@rules.predicate
def works_with_spot_checks(user) -> bool:
    if has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER):
        return True
    # A reviewer in a pool sees the files drawn to them.
    from fazhi.oversight.models import ReviewerPoolMember

    return (
        user.is_authenticated and ReviewerPoolMember.objects.filter(user=user, active=True).exists()
    )


rules.add_perm("oversight.view_spot_checks", works_with_spot_checks)
