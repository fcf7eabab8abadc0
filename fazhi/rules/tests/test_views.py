"""The staff pages: who sees them, bad input, and a constant query count on the worklist."""

import pytest

from fazhi.core.roles import Role
from fazhi.rules.models import NormativeDocument
from fazhi.rules.tests.test_lifecycle import draft
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role
from fazhi.testing.queries import assert_constant_queries


def test_clerk_drafts_through_the_page(office):
    client = verified_client(office["clerk"])
    assert client.get("/staff/rules/new/").status_code == 200
    bad = client.post("/staff/rules/new/", {"title": "", "kind": "normative", "text": ""})
    assert bad.status_code == 400 and not NormativeDocument.objects.exists()
    response = client.post(
        "/staff/rules/new/",
        {
            "title": "办法",
            "kind": "normative",
            "text": "第一条",
            "major_rights": "on",
            "department": office["section"].pk,
        },
    )
    document = NormativeDocument.objects.get()
    assert response["Location"] == f"/staff/rules/{document.pk}/"
    assert "第一条" in client.get(response["Location"]).content.decode()


def test_a_short_consultation_is_refused_with_the_rule(office):
    document = draft(office)
    client = verified_client(office["clerk"])
    response = client.post(
        f"/staff/rules/{document.pk}/steps/consultation/",
        {"opens_on": "2099-01-05", "closes_on": "2099-01-06"},
        follow=True,
    )
    assert "征求意见期须不少于7个工作日" in response.content.decode()
    assert NormativeDocument.objects.get(pk=document.pk).state == "drafting"


def test_unknown_step_other_agency_and_outside_roles(office):
    document = draft(office)
    client = verified_client(office["clerk"])
    assert client.post(f"/staff/rules/{document.pk}/steps/explode/").status_code == 404
    outsider = verified_client(user_with_role(Role.LEGAL_OFFICER))
    assert outsider.get(f"/staff/rules/{document.pk}/").status_code == 404
    adviser = verified_client(user_with_role(Role.LEGAL_ADVISER, agency=office["agency"]))
    assert adviser.get("/staff/rules/").status_code == 403
    assert client.get(f"/staff/rules/{document.pk}/docx/").status_code == 404


@pytest.mark.parametrize("state", ["", "drafting"])
def test_worklist_query_count_is_constant(office, state):
    client = verified_client(office["officer"])
    url = f"/staff/rules/?state={state}"
    assert_constant_queries(lambda: client.get(url), lambda n: [draft(office) for _ in range(n)])


def test_drafting_for_a_department_one_does_not_belong_to_is_refused(office):
    from fazhi.testing.factories import DepartmentFactory

    other = DepartmentFactory(agency=office["agency"])
    response = verified_client(office["clerk"]).post(
        "/staff/rules/new/",
        {"title": "办法", "kind": "normative", "text": "第一条", "department": other.pk},
    )
    assert response.status_code == 400 and not NormativeDocument.objects.exists()
