"""Review of issue 7 on PostgreSQL: input PostgreSQL refuses (NUL in text) never reaches a
query from the services pages and API — it was a 500 from the case search (`q`), which SQLite
takes without complaint.

Run with FAZHI_TEST_DATABASE_URL=postgresql://…; skipped on SQLite.
"""

from __future__ import annotations

import pytest
from django.db import connection

from fazhi.services.tests.test_cases_setup import (  # noqa: F401 - fixtures
    office_fixture,
    register,
)
from fazhi.testing.clients import verified_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL refuses NUL in a query; SQLite does not")


def test_nul_in_the_case_search_never_reaches_postgresql(office):
    case = register(office, seq=1)
    officer = verified_client(office["officer"])
    officer.raise_request_exception = False
    page = officer.get("/staff/services/cases/", {"q": "王\x00"})
    assert page.status_code == 200
    assert f'data-case="{case.pk}"' in page.content.decode()
    api = officer.get("/api/services/cases/", {"q": "\x00"})
    assert api.status_code == 422 and api.json()["code"] == "bad_filter"
    for url, params in (
        ("/staff/services/cases/", {"q": "\x00", "state": "\x00", "from": "\x00"}),
        ("/staff/services/ratings/", {"follow_up": "\x00", "channel": "\x00"}),
        ("/staff/services/appointments/", {"state": "\x00", "day": "\x00"}),
        ("/api/services/ratings/", {"channel": "\x00", "follow_up": "\x00"}),
        ("/api/services/ratings/appeals", {"state": "\x00"}),
    ):
        assert officer.get(url, params).status_code < 500, url
