"""Regressions found in review: odd query values answer a page or a 422, never a 500."""

from __future__ import annotations

import pytest

from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import CommitteeFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return verified_client(user_with_role(Role.LEGAL_OFFICER))


@pytest.mark.parametrize("year", ["10000", "99999999999", "0"])
def test_the_inspection_list_ignores_a_year_out_of_range(officer, year):
    # `inspected_to__year=10000` raised ValueError while building the query.
    assert officer.get("/staff/oversight/inspections/", {"year": year}).status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/oversight/inspections/", "/api/oversight/inspections/results/"]
)
@pytest.mark.parametrize("year", ["10000", "9999999999999999999999999", "0000"])
def test_the_inspection_api_refuses_a_year_out_of_range(officer, path, year):
    response = officer.get(path, {"year": year})
    assert response.status_code == 422
    assert response.json()["code"] == "bad_year"


def test_the_inspection_api_still_filters_by_a_good_year(officer):
    assert officer.get("/api/oversight/inspections/", {"year": "2026"}).status_code == 200
    assert officer.get("/api/oversight/inspections/results/", {"year": "2026"}).status_code == 200


def test_the_spot_check_api_refuses_year_zero(officer):
    response = officer.get("/api/oversight/spot-checks/results", {"year": "0000"})
    assert response.status_code == 422
    assert response.json()["code"] == "bad_year"


def test_the_spot_check_results_page_ignores_a_non_ascii_digit_year(officer):
    # "²".isdigit() is True but int("²") raises ValueError.
    response = officer.get("/staff/oversight/spot-checks/results/", {"year": "²"})
    assert response.status_code == 200


def test_the_posting_form_ignores_a_non_ascii_digit_committee():
    clerk = user_with_role(Role.COMMITTEE_CLERK)
    client = verified_client(clerk)
    assert CommitteeFactory._meta.model.objects.exists()
    response = client.get("/staff/oversight/committees/postings/new/", {"committee": "²"})
    assert response.status_code == 200
