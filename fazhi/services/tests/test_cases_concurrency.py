"""Registrations at the same moment, on PostgreSQL: the one-stop platform sending the same
application twice at once makes one case (200 for the other request), and numbers drawn at
once are gap-free and distinct.

Each test starts its threads at a barrier so the requests really meet in the database; every
thread uses its own connection (closed at the end).
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from fazhi.core.models.numbering import IssuedNumber
from fazhi.services.models import ServiceCase
from fazhi.services.tests.test_cases_setup import (  # noqa: F401 - fixtures
    office_fixture,
    register,
    resident_id,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent registrations are tested on PostgreSQL")


def test_two_simultaneous_api_registrations_of_one_reference_make_one_case(office):
    # Given the one-stop platform's account and an online item
    office["item"].online = True
    office["item"].save()
    body = json.dumps(
        {
            "item": str(office["item"].pk),
            "channel": "online",
            "applicant_kind": "person",
            "applicant_name": "王小明",
            "resident_id": resident_id(1),
            "external_ref": "YWTB-2026-000042",
        }
    )
    clients = [verified_client(office["officer"]) for _ in range(4)]
    # When it sends the same application four times at the same moment
    calls = [
        (lambda c=c: c.post("/api/services/cases/", body, content_type="application/json"))
        for c in clients
    ]
    results, errors = run_together(calls)
    # Then one case: one answer 201, the others 200 with the same case
    assert errors == []
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in results}) == 1
    assert ServiceCase.objects.count() == 1
    # And one number drawn: the series has no gap
    assert list(IssuedNumber.objects.values_list("value", flat=True)) == [1]


def test_numbers_drawn_at_once_are_distinct_and_gap_free(office):
    calls = [(lambda n=n: register(office, seq=n).case_number) for n in range(1, 11)]
    results, errors = run_together(calls)
    assert errors == []
    values = sorted(IssuedNumber.objects.values_list("value", flat=True))
    assert values == list(range(1, 11))
    assert len(set(results)) == 10
