"""Every role against every page and action that exists (security.md "Authority").

Refused requests must answer 403 (or 404 for records of another agency) and change nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client

from fazhi.accounts.models import User
from fazhi.core.models import Membership
from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, CommitteeFactory, UserFactory, user_with_role
from fazhi.testing.matrix import Case, fingerprint

pytestmark = pytest.mark.django_db

ALL = frozenset(Role)
BUSINESS = ALL - {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR}
TOUCHED = ["accounts.User", "core.Membership"]
# The roles whose work includes normative documents (permission normative.view_list).
DOCUMENT_ROLES = frozenset(
    {
        Role.LEGAL_OFFICER,
        Role.LEADER,
        Role.CLERK,
        Role.DEPARTMENT_HEAD,
        Role.LIAISON,
        Role.DISTRICT_OVERSEER,
    }
)
# Disclosure requests and the annual report: the legal office, leaders and district oversight;
# the catalogue also the departments that produce the information.
REQUEST_ROLES = frozenset({Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER})
CATALOGUE_ROLES = REQUEST_ROLES | {Role.CLERK, Role.DEPARTMENT_HEAD}
# Oversight: the legal office runs it, leaders and district oversight read every area; each
# other role sees the area it takes part in (docs/oversight.md "Who does what").
LEGAL_OFFICE = frozenset({Role.LEGAL_OFFICER})
OVERSIGHT_READERS = frozenset({Role.LEGAL_OFFICER, Role.LEADER, Role.DISTRICT_OVERSEER})
DEPARTMENT_STAFF = frozenset({Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON})
FINDING_ROLES = OVERSIGHT_READERS | DEPARTMENT_STAFF
VISIT_ROLES = FINDING_ROLES | {Role.SUPERVISOR}
INSPECTION_ROLES = OVERSIGHT_READERS | {Role.INSPECTOR}
COMMITTEE_AREA_ROLES = OVERSIGHT_READERS | {Role.COMMITTEE_CLERK}
EVALUATION_ROLES = OVERSIGHT_READERS | {Role.DEPARTMENT_HEAD}
OVERSIGHT_ROLES = VISIT_ROLES | INSPECTION_ROLES | COMMITTEE_AREA_ROLES
# Government services (docs/services.md): the legal office, leaders and district oversight read;
# departments' heads, clerks and liaisons edit their own department's items.
SERVICES_ROLES = OVERSIGHT_READERS | DEPARTMENT_STAFF
SERVICES_EDITORS = LEGAL_OFFICE | DEPARTMENT_STAFF

CASES = [
    Case("workspace", "GET", lambda c: "/staff/", ALL),
    Case("inbox", "GET", lambda c: "/staff/notifications/", ALL),
    Case("organisation", "GET", lambda c: "/staff/organisation/", BUSINESS | {Role.SYSADMIN}),
    Case("region", "GET", lambda c: "/staff/region/", frozenset({Role.DISTRICT_OVERSEER})),
    Case("account list", "GET", lambda c: "/staff/accounts/", frozenset({Role.SYSADMIN})),
    Case("account form", "GET", lambda c: "/staff/accounts/new/", frozenset({Role.SYSADMIN})),
    Case(
        "account detail",
        "GET",
        lambda c: f"/staff/accounts/{c['colleague'].pk}/",
        frozenset({Role.SYSADMIN}),
    ),
    Case(
        "account create",
        "POST",
        lambda c: "/staff/accounts/new/",
        frozenset({Role.SYSADMIN}),
        data=lambda c: {"username": "created.by.matrix", "display_name": "新用户"},
    ),
    Case(
        "account disable",
        "POST",
        lambda c: f"/staff/accounts/{c['colleague'].pk}/disable/",
        frozenset({Role.SYSADMIN}),
        data=lambda c: {"reason": "矩阵测试"},
        ok_status=(302,),
    ),
    Case(
        "account end sessions",
        "POST",
        lambda c: f"/staff/accounts/{c['colleague'].pk}/end_sessions/",
        frozenset({Role.SYSADMIN}),
        ok_status=(302,),
    ),
    Case(
        "account unlock",
        "POST",
        lambda c: f"/staff/accounts/{c['colleague'].pk}/unlock/",
        frozenset({Role.SYSADMIN}),
        ok_status=(302,),
    ),
    Case("role list", "GET", lambda c: "/staff/roles/", frozenset({Role.SECADMIN})),
    Case(
        "role grant",
        "POST",
        lambda c: "/staff/roles/",
        frozenset({Role.SECADMIN}),
        data=lambda c: {"username": c["colleague"].username, "role": Role.LEADER},
        ok_status=(302,),
    ),
    Case(
        "role revoke",
        "POST",
        lambda c: f"/staff/roles/{c['colleague_membership'].pk}/revoke/",
        frozenset({Role.SECADMIN}),
        data=lambda c: {"reason": "矩阵测试"},
        ok_status=(302,),
    ),
    Case(
        "normative documents",
        "GET",
        lambda c: "/staff/rules/",
        DOCUMENT_ROLES,
    ),
    Case("expiry evaluations", "GET", lambda c: "/staff/rules/evaluations/", DOCUMENT_ROLES),
    Case("cleanup reviews", "GET", lambda c: "/staff/rules/cleanups/", DOCUMENT_ROLES),
    Case(
        "new cleanup review",
        "GET",
        lambda c: "/staff/rules/cleanups/new/",
        frozenset({Role.LEGAL_OFFICER}),
    ),
    Case(
        "documents in force (XLSX)", "GET", lambda c: "/staff/rules/in-force.xlsx", DOCUMENT_ROLES
    ),
    Case(
        "disclosure (navigation entry)",
        "GET",
        lambda c: "/staff/disclosure/",
        CATALOGUE_ROLES,
        ok_status=(302,),
    ),
    Case("disclosure requests", "GET", lambda c: "/staff/disclosure/requests/", REQUEST_ROLES),
    Case(
        "register a disclosure request",
        "GET",
        lambda c: "/staff/disclosure/requests/register/",
        frozenset({Role.LEGAL_OFFICER}),
    ),
    Case("disclosure catalogue", "GET", lambda c: "/staff/disclosure/catalogue/", CATALOGUE_ROLES),
    Case(
        "new catalogue record",
        "GET",
        lambda c: "/staff/disclosure/catalogue/new/",
        frozenset({Role.LEGAL_OFFICER, Role.CLERK, Role.DEPARTMENT_HEAD}),
    ),
    Case(
        "disclosure timeliness",
        "GET",
        lambda c: "/staff/disclosure/catalogue/timeliness/",
        CATALOGUE_ROLES,
    ),
    Case("annual reports", "GET", lambda c: "/staff/disclosure/reports/", REQUEST_ROLES),
    Case(
        "oversight (navigation entry)",
        "GET",
        lambda c: "/staff/oversight/",
        OVERSIGHT_ROLES,
        ok_status=(302,),
    ),
    Case(
        "findings",
        "GET",
        lambda c: "/staff/oversight/findings/",
        FINDING_ROLES,
    ),
    Case(
        "new finding",
        "GET",
        lambda c: "/staff/oversight/findings/new/",
        LEGAL_OFFICE,
    ),
    Case(
        "findings board",
        "GET",
        lambda c: "/staff/oversight/findings/board/",
        FINDING_ROLES,
    ),
    Case(
        "circulars",
        "GET",
        lambda c: "/staff/oversight/findings/circulars/",
        FINDING_ROLES,
    ),
    Case(
        "new circular",
        "GET",
        lambda c: "/staff/oversight/findings/circulars/new/",
        LEGAL_OFFICE,
    ),
    Case(
        "spot checks",
        "GET",
        lambda c: "/staff/oversight/spot-checks/",
        OVERSIGHT_READERS,
    ),
    Case(
        "new sampling plan",
        "GET",
        lambda c: "/staff/oversight/spot-checks/plans/new/",
        LEGAL_OFFICE,
    ),
    Case(
        "spot check results",
        "GET",
        lambda c: "/staff/oversight/spot-checks/results/",
        OVERSIGHT_READERS,
    ),
    Case(
        "checklists",
        "GET",
        lambda c: "/staff/oversight/spot-checks/checklists/",
        OVERSIGHT_READERS,
    ),
    Case(
        "new checklist",
        "GET",
        lambda c: "/staff/oversight/spot-checks/checklists/new/",
        LEGAL_OFFICE,
    ),
    Case(
        "reviewer pool",
        "GET",
        lambda c: "/staff/oversight/spot-checks/reviewers/",
        OVERSIGHT_READERS,
    ),
    Case(
        "visits",
        "GET",
        lambda c: "/staff/oversight/visits/",
        VISIT_ROLES,
    ),
    Case(
        "visit plans",
        "GET",
        lambda c: "/staff/oversight/visits/plans/",
        VISIT_ROLES,
    ),
    Case(
        "supervisor roster",
        "GET",
        lambda c: "/staff/oversight/visits/roster/",
        OVERSIGHT_READERS,
    ),
    Case(
        "visit checklist",
        "GET",
        lambda c: "/staff/oversight/visits/checklist/",
        OVERSIGHT_READERS,
    ),
    Case(
        "visit scores",
        "GET",
        lambda c: "/staff/oversight/visits/scores/",
        OVERSIGHT_READERS,
    ),
    Case(
        "inspections",
        "GET",
        lambda c: "/staff/oversight/inspections/",
        INSPECTION_ROLES,
    ),
    Case(
        "new inspection",
        "GET",
        lambda c: "/staff/oversight/inspections/new/",
        LEGAL_OFFICE,
    ),
    Case(
        "inspection contracts",
        "GET",
        lambda c: "/staff/oversight/inspections/contracts/",
        INSPECTION_ROLES,
    ),
    Case(
        "inspection results",
        "GET",
        lambda c: "/staff/oversight/inspections/results/",
        OVERSIGHT_READERS,
    ),
    Case(
        "committee disclosure",
        "GET",
        lambda c: "/staff/oversight/committees/",
        COMMITTEE_AREA_ROLES,
    ),
    Case(
        "new committee posting",
        "GET",
        lambda c: "/staff/oversight/committees/postings/new/",
        frozenset({Role.LEGAL_OFFICER, Role.COMMITTEE_CLERK}),
    ),
    Case(
        "committee items",
        "GET",
        lambda c: "/staff/oversight/committees/items/",
        OVERSIGHT_READERS,
    ),
    Case(
        "committee overrides",
        "GET",
        lambda c: "/staff/oversight/committees/overrides/",
        OVERSIGHT_READERS,
    ),
    Case(
        "committee import",
        "GET",
        lambda c: "/staff/oversight/committees/import/",
        LEGAL_OFFICE,
    ),
    Case(
        "evaluations",
        "GET",
        lambda c: "/staff/oversight/evaluations/",
        EVALUATION_ROLES,
    ),
    Case(
        "evaluation schemes",
        "GET",
        lambda c: "/staff/oversight/evaluations/schemes/",
        OVERSIGHT_READERS,
    ),
    Case(
        "new evaluation scheme",
        "GET",
        lambda c: "/staff/oversight/evaluations/schemes/new/",
        LEGAL_OFFICE,
    ),
    Case(
        "services (navigation entry)",
        "GET",
        lambda c: "/staff/services/",
        SERVICES_ROLES,
        ok_status=(302,),
    ),
    Case("power list", "GET", lambda c: "/staff/services/powers/", SERVICES_ROLES),
    Case("power list diff", "GET", lambda c: "/staff/services/powers/diff/", SERVICES_ROLES),
    Case("service items", "GET", lambda c: "/staff/services/items/", SERVICES_ROLES),
    Case("new service item", "GET", lambda c: "/staff/services/items/new/", SERVICES_EDITORS),
    Case("service centers", "GET", lambda c: "/staff/services/centers/", SERVICES_ROLES),
    Case("new service center", "GET", lambda c: "/staff/services/centers/new/", LEGAL_OFFICE),
    Case("appointments day list", "GET", lambda c: "/staff/services/appointments/", SERVICES_ROLES),
    Case("case list", "GET", lambda c: "/staff/services/cases/", SERVICES_ROLES),
    Case("register a case", "GET", lambda c: "/staff/services/cases/new/", SERVICES_EDITORS),
    Case("ID-card lookup", "GET", lambda c: "/staff/services/cases/lookup/", SERVICES_EDITORS),
    Case("case figures", "GET", lambda c: "/staff/services/cases/figures/", SERVICES_ROLES),
    Case("ratings", "GET", lambda c: "/staff/services/ratings/", SERVICES_ROLES),
    Case(
        "satisfaction statistics",
        "GET",
        lambda c: "/staff/services/ratings/statistics/",
        SERVICES_ROLES,
    ),
    Case("work calendar", "GET", lambda c: "/staff/calendar/", frozenset({Role.SYSADMIN})),
    Case("audit log", "GET", lambda c: "/staff/audit/", frozenset({Role.AUDITOR})),
    Case("audit export", "GET", lambda c: "/staff/audit/export.csv", frozenset({Role.AUDITOR})),
    Case(
        "reference admin",
        "GET",
        lambda c: "/admin/",
        frozenset({Role.SYSADMIN}),
        denied_status=302,
    ),
]


@pytest.fixture
def world():
    agency = AgencyFactory(region="示例区")
    # A committee, so the legal office has one to post committee disclosure for.
    CommitteeFactory(subdistrict__agency=agency)
    colleague = UserFactory(home_agency=agency, username="colleague")
    membership = Membership.objects.create(user=colleague, agency=agency, role=Role.INSPECTOR)
    return {"agency": agency, "colleague": colleague, "colleague_membership": membership}


@pytest.mark.parametrize("role", sorted(Role), ids=str)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matrix(world, role, case):
    actor = user_with_role(role, agency=world["agency"])
    client = verified_client(actor)
    before = fingerprint(TOUCHED)
    if case.method == "GET":
        response = client.get(case.url(world))
    else:
        response = client.post(case.url(world), case.data(world))
    if role in case.allowed:
        assert response.status_code in case.ok_status, (case.name, role, response.status_code)
    else:
        assert response.status_code == case.denied_status, (case.name, role, response.status_code)
        assert fingerprint(TOUCHED) == before, f"{role} changed data through {case.name}"


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "GET"], ids=lambda c: c.name)
def test_anonymous_is_sent_to_login(world, case):
    response = Client().get(case.url(world), follow=True)
    assert response.redirect_chain, case.name
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/staff/accounts/{pk}/"),
        ("POST", "/staff/accounts/{pk}/disable/"),
        ("POST", "/staff/accounts/{pk}/reset_password/"),
    ],
)
def test_accounts_of_another_agency_answer_404(world, method, path):
    outsider = user_with_role(Role.SYSADMIN, agency=AgencyFactory())
    client = verified_client(outsider)
    before = fingerprint(TOUCHED)
    url = path.format(pk=world["colleague"].pk)
    response = client.get(url) if method == "GET" else client.post(url, {"reason": "x"})
    assert response.status_code == 404
    assert fingerprint(TOUCHED) == before


def test_secadmin_revoking_another_agencys_membership_gets_404(world):
    outsider = user_with_role(Role.SECADMIN, agency=AgencyFactory())
    client = verified_client(outsider)
    response = client.post(
        f"/staff/roles/{world['colleague_membership'].pk}/revoke/", {"reason": "x"}
    )
    assert response.status_code == 404
    assert Membership.objects.get(pk=world["colleague_membership"].pk).revoked_at is None


def test_navigation_lists_only_what_the_role_may_open(world):
    expected = {
        Role.SYSADMIN: ["tasks", "notifications", "organisation", "accounts", "calendar"],
        Role.SECADMIN: ["tasks", "notifications", "roles"],
        Role.AUDITOR: ["tasks", "notifications", "audit"],
        Role.DISTRICT_OVERSEER: [
            "tasks",
            "notifications",
            "rules",
            "disclosure",
            "services",
            "oversight",
            "organisation",
            "region",
        ],
        Role.CLERK: [
            "tasks",
            "notifications",
            "rules",
            "disclosure",
            "services",
            "oversight",
            "organisation",
        ],
        Role.COMMITTEE_CLERK: ["tasks", "notifications", "oversight", "organisation"],
    }
    from fazhi.workspace.navigation import items_for

    for role, keys in expected.items():
        user = user_with_role(role, agency=world["agency"])
        assert [item["key"] for item in items_for(user)] == keys, role
    assert User.objects.filter(username="created.by.matrix").count() == 0
