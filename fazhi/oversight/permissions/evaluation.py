"""Who may do what with the comprehensive evaluation (综合考评).

The legal office writes schemes, creates evaluations, computes and publishes; leaders and
district oversight read everything (schemes, drafts, computed and published evaluations);
department heads read the published results only (a draft ranking is not yet the agency's
word). District oversight never writes (core.tenancy gives it no writable agency).
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, readable_agency_ids
from fazhi.oversight.permissions.base import is_legal_office, reads_everything


@rules.predicate
def works_with_evaluations(user) -> bool:
    return has_role(
        user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER, Role.DEPARTMENT_HEAD
    )


@rules.predicate
def reads_all_evaluations(user, obj=None) -> bool:
    """Schemes and unpublished evaluations: legal office, leaders, district oversight."""
    return reads_everything(user, obj)


@rules.predicate
def can_read_evaluation(user, evaluation) -> bool:
    if evaluation is None:
        return False
    if reads_everything(user, evaluation):
        return True
    return (
        evaluation.state == "published"
        and evaluation.agency_id in readable_agency_ids(user)
        and has_role(user, Role.DEPARTMENT_HEAD, agency_id=evaluation.agency_id)
    )


manages_evaluations = rules.predicate(is_legal_office, name="oversight_evaluation_office")

rules.add_perm("oversight.view_evaluations", works_with_evaluations)
rules.add_perm("oversight.view_evaluation_schemes", reads_all_evaluations)
rules.add_perm("oversight.view_evaluation", can_read_evaluation)
rules.add_perm("oversight.manage_evaluations", manages_evaluations)
