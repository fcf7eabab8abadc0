"""Who may do what with a disclosure request (object-level `rules` predicates).

There is no role for the disclosure office (政府信息公开工作机构) yet. Until there is, the legal
office (办公室（法制办）), which in a district bureau is the office that handles disclosure,
registers and handles requests, and the agency's leaders stand in for the office head who must
approve an extension (OGI Art. 33 ¶2). Applicants' personal data makes the record readable only
to those roles and to district oversight, not to every member of the agency.
"""

import rules

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role, readable_agency_ids


@rules.predicate
def is_disclosure_office(user, request) -> bool:
    return request is not None and has_role(user, Role.LEGAL_OFFICER, agency_id=request.agency_id)


@rules.predicate
def is_office_head(user, request) -> bool:
    return request is not None and has_role(user, Role.LEADER, agency_id=request.agency_id)


@rules.predicate
def can_read(user, request) -> bool:
    if request is None or request.agency_id not in readable_agency_ids(user):
        return False
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, agency_id=request.agency_id) or (
        has_role(user, Role.DISTRICT_OVERSEER)
    )


@rules.predicate
def works_with_requests(user) -> bool:
    return has_role(user, Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER)


@rules.predicate
def works_with_catalogue(user) -> bool:
    # Departments produce the information they publish; the legal office reviews and releases.
    return has_role(
        user,
        Role.LEGAL_OFFICER,
        Role.LEADER,
        Role.CLERK,
        Role.DEPARTMENT_HEAD,
        Role.DISTRICT_OVERSEER,
    )


rules.add_perm("disclosure.view_request", can_read)
rules.add_perm("disclosure.handle_request", is_disclosure_office)
rules.add_perm("disclosure.approve_extension", is_office_head)
rules.add_perm("disclosure.view_list", works_with_requests)
# Reconsiderations and lawsuits are recorded by the same office (it answers them for the agency).
rules.add_perm("disclosure.handle_challenge", is_disclosure_office)
# Proactive disclosure (主动公开): the catalogue's records.
rules.add_perm("disclosure.view_catalogue", works_with_catalogue)
# The annual report is written by the office that handles requests and read by leaders.
rules.add_perm("disclosure.view_reports", works_with_requests)
# The navigation entry: any of the three areas.
rules.add_perm("disclosure.view_area", works_with_requests | works_with_catalogue)


# --- Proactive disclosure (主动公开): who drafts, reviews and releases a public record --------
# A record's department produces it: its clerks and head draft; the head does the 保密审查 of
# the department's records (the legal office of those without a department); the legal office
# releases (信息审核发布), withdraws and supersedes, and may draft any record of the agency.


def _in_department(user, record, roles) -> bool:
    if record is None or record.department_id is None:
        return False
    return (
        user.is_authenticated
        and user.memberships.active()
        .filter(agency_id=record.agency_id, department_id=record.department_id, role__in=roles)
        .exists()
    )


@rules.predicate
def is_record_department(user, record) -> bool:
    return _in_department(user, record, [Role.CLERK, Role.DEPARTMENT_HEAD])


@rules.predicate
def is_record_reviewer(user, record) -> bool:
    if record is None:
        return False
    if record.department_id is None:
        return has_role(user, Role.LEGAL_OFFICER, agency_id=record.agency_id)
    return _in_department(user, record, [Role.DEPARTMENT_HEAD])


@rules.predicate
def can_read_record(user, record) -> bool:
    if record is None or record.agency_id not in readable_agency_ids(user):
        return False
    return (
        has_role(user, Role.LEGAL_OFFICER, Role.LEADER, agency_id=record.agency_id)
        or has_role(user, Role.DISTRICT_OVERSEER)
        or is_record_department(user, record)
        or is_record_reviewer(user, record)
    )


rules.add_perm("disclosure.draft_record", is_record_department | is_disclosure_office)
rules.add_perm("disclosure.review_record", is_record_reviewer)
rules.add_perm("disclosure.release_record", is_disclosure_office)
rules.add_perm("disclosure.view_record", can_read_record)


# --- The annual report (年度报告) --------------------------------------------------------------
# The legal office, which handles disclosure, opens, writes, finalises, reopens and publishes
# the report; leaders and district overseers read it (the leaders approve the text before the
# office finalises it, outside the system).
rules.add_perm("disclosure.view_report", can_read)
rules.add_perm("disclosure.write_report", is_disclosure_office)
rules.add_perm("disclosure.publish_report", is_disclosure_office)
