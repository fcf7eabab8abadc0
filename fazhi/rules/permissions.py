"""Who may do what with a normative document (object-level `rules` predicates)."""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, readable_agency_ids


@rules.predicate
def is_drafter(user, document) -> bool:
    """Clerks and heads of the drafting department."""
    if document is None:
        return False
    return (
        user.memberships.active()
        .filter(
            agency_id=document.agency_id,
            department_id=document.department_id,
            role__in=[Role.CLERK, Role.DEPARTMENT_HEAD],
        )
        .exists()
    )


@rules.predicate
def is_legal_office(user, document) -> bool:
    return document is not None and has_role(user, Role.LEGAL_OFFICER, agency_id=document.agency_id)


@rules.predicate
def can_read(user, document) -> bool:
    return document is not None and document.agency_id in readable_agency_ids(user)


rules.add_perm("normative.view_document", can_read)
rules.add_perm("normative.draft_document", is_drafter | is_legal_office)
rules.add_perm("normative.review_document", is_legal_office)
rules.add_perm("normative.issue_document", is_legal_office)


@rules.predicate
def works_with_documents(user) -> bool:
    """The roles whose work includes normative documents (outside roles do not draft)."""
    from fazhi.core.tenancy import has_role as held

    return held(
        user,
        Role.LEGAL_OFFICER,
        Role.LEADER,
        Role.CLERK,
        Role.DEPARTMENT_HEAD,
        Role.LIAISON,
        Role.DISTRICT_OVERSEER,
    )


rules.add_perm("normative.view_list", works_with_documents)
