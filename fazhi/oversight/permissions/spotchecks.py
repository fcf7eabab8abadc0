"""Who may do what with spot checks of case files (案卷评查).

The legal office keeps checklists and the reviewer pool, plans and draws, and may hand a file
to another reviewer; reviewers score the files drawn to them (only those, and only while the
agency still counts them as reviewers); leaders and district oversight read everything.
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, writable_agency_ids
from fazhi.oversight.permissions.base import is_legal_office, reads_everything


@rules.predicate
def works_with_spot_checks(user) -> bool:
    if has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER):
        return True
    return is_reviewer(user)


def is_reviewer(user) -> bool:
    """A person in an agency's pool sees the files drawn to them."""
    from fazhi.oversight.models import ReviewerPoolMember

    if not getattr(user, "is_authenticated", False):
        return False
    return ReviewerPoolMember.objects.filter(
        user=user, active=True, agency_id__in=writable_agency_ids(user)
    ).exists()


@rules.predicate
def reads_spot_checks(user, obj=None) -> bool:
    """Plans, results and every file: the legal office, leaders, district oversight."""
    return reads_everything(user, obj)


@rules.predicate
def manages_spot_checks(user, obj=None) -> bool:
    """Checklists, the pool, plans and draws: the legal office of the record's agency."""
    return is_legal_office(user, obj)


@rules.predicate
def reviews_file(user, sampled_file) -> bool:
    """The reviewer the file was drawn (or handed) to, in the plan's agency."""
    if sampled_file is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        sampled_file.reviewer_id == user.pk
        and sampled_file.plan.agency_id in writable_agency_ids(user)
    )


rules.add_perm("oversight.view_spot_checks", works_with_spot_checks)
rules.add_perm("oversight.read_spot_checks", reads_spot_checks)
rules.add_perm("oversight.manage_spot_checks", manages_spot_checks)


@rules.predicate
def reads_file(user, sampled_file) -> bool:
    return sampled_file is not None and reads_everything(user, sampled_file.plan)


rules.add_perm("oversight.review_sampled_file", reviews_file)
rules.add_perm("oversight.view_sampled_file", reviews_file | reads_file)
