import rules

from fazhi.core.predicates import is_legal_officer
from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role


@rules.predicate
def is_department_clerk(user, memo) -> bool:
    return memo is not None and has_role(user, Role.CLERK, agency_id=memo.agency_id)


@rules.predicate
def is_agency_legal_officer(user, memo) -> bool:
    return memo is not None and has_role(user, Role.LEGAL_OFFICER, agency_id=memo.agency_id)


rules.add_perm("workflow_demo.submit_memo", is_department_clerk)
rules.add_perm("workflow_demo.review_memo", is_agency_legal_officer)
rules.add_perm("workflow_demo.view_memo", is_department_clerk | is_legal_officer)
