"""The public disclosure API (一网通办 and other platforms, and the citizen): submitting through
the portal's service, idempotent and rate-limited, and the status check that tells nothing about
which numbers exist."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.test import Client, override_settings

from fazhi.core.models import Event
from fazhi.disclosure import selectors, services
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.tests.conftest import CREDIT_CODE, PHONE, RESIDENT_ID, registered
from fazhi.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

BASE = "/api/public/disclosure"


def application(office, **changes) -> dict:
    values = {
        "agency": office["agency"].code,
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_document": "resident_id",
            "id_number": RESIDENT_ID,
            "phone": PHONE,
        },
        "description": "本局2025年度政府信息公开工作年度报告中所列行政复议案件的清单。",
        "info_form": "electronic",
        "delivery": "online",
    }
    values.update(changes)
    return values


def submit(body, key: str | None = None, client=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return (client or Client()).post(
        f"{BASE}/requests", body, content_type="application/json", **headers
    )


def test_a_platform_submits_an_application_and_gets_the_receipt(office):
    key = uuid.uuid4().hex
    response = submit(application(office), key)
    assert response.status_code == 201, response.content
    body = response.json()
    created = DisclosureRequest.objects.get()
    due = selectors.due_explained(created)
    assert body == {
        "tracking_number": created.tracking_number,
        "agency": office["agency"].name,
        "state": "received",
        "state_label": "办理中",
        "received_on": created.received_on.isoformat(),
        "receipt_rule": "政务服务平台提交：提交时即予确认，以提交之日为收到申请之日",
        "due_on": due.due_on.isoformat(),
        "due_provisional": due.provisional,
        "explanation": due.explanation,
    }
    assert created.channel == "platform" and created.created_by is None
    assert created.tracking_number.startswith("示民依申〔2026〕")
    assert RESIDENT_ID not in response.content.decode()


def test_a_double_submission_makes_one_request_and_the_same_answer(office):
    key = uuid.uuid4().hex
    first = submit(application(office), key)
    second = submit(application(office), key)
    by_field = submit(application(office, idempotency_key=key))
    assert first.status_code == second.status_code == by_field.status_code == 201
    assert first.json() == second.json() == by_field.json()
    assert DisclosureRequest.objects.count() == 1


def test_an_organisation_applies_by_agency_id_with_its_credit_code(office):
    applicant = {
        "kind": "legal_service",
        "name": "示例律师事务所",
        "id_number": CREDIT_CODE,
        "phone": "021-12345678",
        "contact_person": "李四",
        "email": "office@example.com",
    }
    body = application(
        office, agency=str(office["agency"].pk), applicant=applicant, delivery="email"
    )
    assert submit(body, uuid.uuid4().hex).status_code == 201
    created = DisclosureRequest.objects.get()
    assert (created.applicant_kind, created.id_document) == ("legal_service", "credit_code")


@pytest.mark.parametrize(
    ("applicant", "changes", "code"),
    [
        ({"id_number": "110105194912310021"}, {}, "resident_id_check_digit"),
        ({"phone": ""}, {}, "phone_required"),
        ({"kind": "business", "id_number": "91350100M000100Y44"}, {}, "credit_code_check_char"),
        ({"kind": "business", "contact_person": ""}, {}, "contact_person_required"),
        ({}, {"description": "信" * 100_000}, "description_too_long"),
        ({}, {"description": ""}, "description_required"),
        ({}, {"delivery": "post"}, "address_required"),
        ({}, {"agency": "no-such-agency"}, "agency_invalid"),
        ({}, {"info_form": "telepathy"}, "info_form_invalid"),
    ],
)
def test_bad_applications_are_refused_with_nothing_saved(office, applicant, changes, code):
    body = application(office, **changes)
    body["applicant"] = {**body["applicant"], **applicant}
    if applicant.get("kind") == "business":
        body["applicant"].update(id_document="", id_number=applicant.get("id_number", CREDIT_CODE))
        body["applicant"].setdefault("contact_person", "李四")
    response = submit(body, uuid.uuid4().hex)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code and response.json()["message"]
    assert not DisclosureRequest.objects.exists()
    assert not Event.objects.filter(verb="disclosure.request.submit").exists()


@pytest.mark.parametrize(
    "key", [None, "short", "x" * 65, "有中文的键有中文的键有中文的键有中文的键"]
)
def test_an_application_needs_an_idempotency_key(office, key):
    response = (
        submit(application(office), key)
        if key is None
        else submit(application(office, idempotency_key=key))
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_required"
    assert not DisclosureRequest.objects.exists()


def test_an_inactive_agency_takes_no_applications(office):
    closed = AgencyFactory(is_active=False)
    response = submit(application(office, agency=closed.code), uuid.uuid4().hex)
    assert response.status_code == 422 and response.json()["code"] == "agency_invalid"
    agencies = Client().get(f"{BASE}/agencies").json()
    assert {"code": office["agency"].code, "name": office["agency"].name} in agencies
    assert closed.code not in [a["code"] for a in agencies]


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 2})
def test_submissions_are_rate_limited_as_the_portal_form_is(office):
    for _ in range(2):
        assert submit(application(office), uuid.uuid4().hex).status_code == 201
    response = submit(application(office), uuid.uuid4().hex)
    assert response.status_code == 429
    assert response.json() == {
        "code": "rate_limited",
        "message": "提交过于频繁，请稍后再试。",
        "detail": None,
    }
    assert DisclosureRequest.objects.count() == 2


# --- The status check ------------------------------------------------------------------------


def check(tracking_number, phone=PHONE):
    return Client().post(
        f"{BASE}/status",
        {"tracking_number": tracking_number, "phone": phone},
        content_type="application/json",
    )


def test_the_applicant_checks_the_status_with_number_and_phone(office):
    key = uuid.uuid4().hex
    receipt = submit(application(office), key).json()
    response = check(receipt["tracking_number"], "138-1234-5678")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state_label"] == "办理中" and body["due_on"] == receipt["due_on"]
    assert body["outcome"] == "" and body["replied_on"] is None
    assert PHONE not in response.content.decode()


def test_a_replied_request_shows_its_outcome_and_reply_date(office):
    request = registered(office)
    services.reply(
        actor=office["officer"],
        request=request,
        outcome=Outcome.WITHHELD_PROCESS,
        text="所申请信息属于过程性信息。",
        replied_on=date(2026, 3, 20),
    )
    body = check(request.tracking_number).json()
    assert body["state"] == "replied" and body["state_label"] == "已答复"
    assert body["outcome_label"] == "6.属于四类过程性信息"
    assert body["outcome_summary"] == "不予公开：属于四类过程性信息"
    assert body["replied_on"] == "2026-03-20"
    assert "王办" not in str(body)


def test_unknown_number_and_wrong_phone_get_the_same_answer(office):
    request = registered(office)
    unknown = check("示民依申〔2026〕999号")
    wrong_phone = check(request.tracking_number, "13900000000")
    assert unknown.status_code == wrong_phone.status_code == 404
    assert (
        unknown.json()
        == wrong_phone.json()
        == {
            "code": "not_found",
            "message": "未找到与该申请编号和联系电话相符的申请，请核对后重试。",
            "detail": None,
        }
    )


def test_a_status_check_needs_both_fields(office):
    response = Client().post(f"{BASE}/status", {}, content_type="application/json")
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {
        "body.tracking_number",
        "body.phone",
    }


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 3})
def test_status_checks_are_rate_limited(office):
    request = registered(office)
    for _ in range(3):
        check(request.tracking_number, "13900000000")
    response = check(request.tracking_number)
    assert response.status_code == 429
    assert response.json()["message"] == "查询过于频繁，请稍后再试。"
