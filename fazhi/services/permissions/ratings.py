"""Who may do what in the ratings area (`rules` predicates); see permissions/__init__.py.

- Reading ratings: the legal office, leaders and district overseers read every rating of the
  agency; department staff (clerk, head, liaison) read the ratings of their own department's
  cases. The statistics (counts, no personal data) are read by everyone who works with services.
- The counter device (窗口评价器): counter staff of the case's agency — clerk, department head
  or liaison of any department, and the legal office.
- The bad-review loop (回访, 核实, 整改, 反馈): the case's department ("谁办理、谁负责"): its
  head, clerks and liaison. Sending a complex fix into the oversight loop: the same, or the
  legal office (which runs that loop).
- Appeals (申诉复核): filed by the head of the case's department; approved or rejected by the
  legal office or a leader of the agency.
- Re-sending a rating link: counter staff of the agency.
Overseers never write (writable_agency_ids leaves them out).
"""

from __future__ import annotations

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, readable_agency_ids, writable_agency_ids
from fazhi.services.models.ratings import FOLLOW_UP
from fazhi.services.permissions import works_with_services

COUNTER_ROLES = (Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON, Role.LEGAL_OFFICER)
DEPARTMENT_ROLES = (Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON)

VIEW = "services.view_ratings"
RATE_AT_COUNTER = "services.rate_at_counter"
SEND_LINK = "services.send_rating_link"
OPEN_FINDING = "services.open_rating_finding"
APPEAL = "services.appeal_rating"
DECIDE_APPEAL = "services.decide_rating_appeal"


def _agency_id(obj) -> int | None:
    return getattr(obj, "agency_id", None)


def own_department_ids(user, agency_id: int, roles=DEPARTMENT_ROLES) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        user.memberships.active()
        .filter(agency_id=agency_id, role__in=roles, department__isnull=False)
        .values_list("department_id", flat=True)
    )


def reads_all_ratings(user, agency_id: int) -> bool:
    """Legal office and leaders of the agency; district overseers of its region."""
    if agency_id not in readable_agency_ids(user):
        return False
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, agency_id=agency_id) or has_role(
        user, Role.DISTRICT_OVERSEER
    )


def reads_rating(user, rating) -> bool:
    agency_id = _agency_id(rating)
    if reads_all_ratings(user, agency_id):
        return True
    return rating.department_id in own_department_ids(user, agency_id)


def is_counter_staff(user, agency_id: int) -> bool:
    return agency_id in writable_agency_ids(user) and has_role(
        user, *COUNTER_ROLES, agency_id=agency_id
    )


def handles_follow_up(user, follow_up) -> bool:
    agency_id = _agency_id(follow_up)
    return agency_id in writable_agency_ids(user) and follow_up.department_id in (
        own_department_ids(user, agency_id)
    )


def decides_appeals(user, agency_id: int) -> bool:
    return agency_id in writable_agency_ids(user) and has_role(
        user, Role.LEGAL_OFFICER, Role.LEADER, agency_id=agency_id
    )


def files_appeals(user, rating) -> bool:
    agency_id = _agency_id(rating)
    return agency_id in writable_agency_ids(user) and rating.department_id in (
        own_department_ids(user, agency_id, roles=(Role.DEPARTMENT_HEAD,))
    )


@rules.predicate
def _counter(user, case) -> bool:
    return case is not None and is_counter_staff(user, _agency_id(case))


@rules.predicate
def _follow_up(user, follow_up) -> bool:
    return follow_up is not None and handles_follow_up(user, follow_up)


@rules.predicate
def _open_finding(user, follow_up) -> bool:
    if follow_up is None:
        return False
    agency_id = _agency_id(follow_up)
    return handles_follow_up(user, follow_up) or (
        agency_id in writable_agency_ids(user)
        and has_role(user, Role.LEGAL_OFFICER, agency_id=agency_id)
    )


@rules.predicate
def _appeal(user, rating) -> bool:
    return rating is not None and files_appeals(user, rating)


@rules.predicate
def _decide(user, obj) -> bool:
    return obj is not None and decides_appeals(user, _agency_id(obj))


rules.add_perm(VIEW, works_with_services)
rules.add_perm(RATE_AT_COUNTER, _counter)
rules.add_perm(SEND_LINK, _counter)
rules.add_perm(FOLLOW_UP, _follow_up)
rules.add_perm(OPEN_FINDING, _open_finding)
rules.add_perm(APPEAL, _appeal)
rules.add_perm(DECIDE_APPEAL, _decide)
