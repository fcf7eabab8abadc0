"""Disclosure requests through the staff API: the whole way with bearer tokens, each refusal
with its status and code and nothing saved, crafted calls that try to skip a step, the worklist's
filters and query count, and reconsiderations / lawsuits (table 四)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from fazhi.api.tokens import token_create
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.disclosure import services
from fazhi.disclosure.choices import FeeBasis
from fazhi.disclosure.models import (
    DisclosureChallenge,
    DisclosureRequest,
    Extension,
    Reply,
    SupplementRequest,
)
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.tests.conftest import CREDIT_CODE, PHONE, RESIDENT_ID, registered
from fazhi.testing.factories import AgencyFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

BASE = "/api/disclosure/requests"
CHALLENGES = "/api/disclosure/challenges"
PARTS = [
    {"description": "各街道低保资金发放汇总数", "disclosed": True},
    {
        "description": "领取人姓名及身份证号码",
        "disclosed": False,
        "reason": "withheld_third_party",
        "explanation": "涉及个人隐私，公开会对第三方合法权益造成损害（条例第十五条）。",
    },
]


def as_user(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")


def post(client, path, body=None):
    return client.post(f"{BASE}{path}", body or {}, content_type="application/json")


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


def registration(**changes) -> dict:
    values = {
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_document": "resident_id",
            "id_number": RESIDENT_ID,
            "phone": PHONE,
            "address": "示例区人民路1号",
            "postal_code": "200000",
        },
        "description": "2025年度本区最低生活保障资金的发放汇总情况。",
        "info_form": "electronic",
        "delivery": "post",
        "channel": "visit",
        "arrived_on": "2026-03-02",
    }
    values.update(changes)
    return values


def names(detail) -> list[str]:
    return [a["name"] for a in detail["available_actions"]]


def fresh(request) -> DisclosureRequest:
    return DisclosureRequest.objects.get(pk=request.pk)


# --- The whole way ---------------------------------------------------------------------------


def test_the_whole_way_to_a_partial_disclosure(office):
    officer, leader = as_user(office["officer"]), as_user(office["leader"])

    # Given the office registers an application handed in on 2 March 2026
    created = ok(post(officer, "/", registration()), 201)
    rid = created["id"]
    assert created["state"] == "received" and created["due_on"] == "2026-03-30"
    assert created["tracking_number"] == "示民依申〔2026〕1号"
    assert created["applicant"]["id_number_masked"] == "110***********002X"
    assert created["applicant"]["phone_masked"] == "138****5678"
    assert created["receipt"]["received_on"] == "2026-03-02"
    assert created["due"]["lines"][-1] == "答复期限 2026年3月30日"
    assert names(created) == ["supplement-request", "consultation-open", "fee-notice", "reply"]
    # When it asks for a supplement on 5 March, the clock stops
    detail = ok(
        post(
            officer,
            f"/{rid}/actions/supplement-request",
            {
                "items": "请说明所需信息的具体年度和救助类别。",
                "notice_on": "2026-03-05",
                "expected_state": "received",
            },
        )
    )
    assert detail["state"] == "supplement_request" and detail["due_on"] is None
    assert detail["supplement_request"]["supplement_due_on"] == "2026-03-26"
    # When the supplement arrives on 12 March, 20 working days run again from it
    detail = ok(
        post(
            officer,
            f"/{rid}/actions/supplement-received",
            {"supplement": "2025年度城乡低保资金发放汇总表。", "supplemented_on": "2026-03-12"},
        )
    )
    assert detail["state"] == "received" and detail["due_on"] == "2026-04-10"
    # When a third party is consulted on 20 March and objects on 27 March
    detail = ok(
        post(
            officer,
            f"/{rid}/consultations",
            {
                "kind": "third_party",
                "party": "示例养老服务有限公司",
                "subject": "拟公开贵单位的补贴领取明细，是否同意公开？",
                "sent_on": "2026-03-20",
                "expected_state": "received",
            },
        ),
        201,
    )
    assert detail["state"] == "consultation" and detail["due_on"] == "2026-05-06"
    assert detail["due"]["projected"] is True
    consultation = detail["consultations"][0]
    assert consultation["due_on"] == "2026-04-13"
    detail = ok(
        post(
            officer,
            f"/{rid}/consultations/{consultation['id']}/answer",
            {
                "answer": "objection",
                "text": "涉及本公司员工个人信息，不同意公开。",
                "answered_on": "2026-03-27",
            },
        )
    )
    assert detail["state"] == "received" and detail["due_on"] == "2026-04-17"
    # When the office head approves an extension of 20 working days on 8 April
    assert "extension" in names(ok(leader.get(f"{BASE}/{rid}")))
    detail = ok(
        post(
            leader,
            f"/{rid}/actions/extension",
            {"days": 20, "reason": "需要逐一核对各街道发放记录。", "approved_on": "2026-04-08"},
        )
    )
    assert detail["due_on"] == "2026-05-19"
    assert detail["extension"]["due_before"] == "2026-04-17"
    assert detail["extension"]["approved_by"] == "李主任"
    assert detail["due"]["lines"] == [
        "收到申请 2026年3月2日",
        "补正通知 2026年3月5日，补正期限至 2026年3月26日",
        "补正材料收到 2026年3月12日，重新计算",
        "自 2026年3月12日 起 20 个工作日（开始当日不计入）",
        "征求第三方意见 5 个工作日不计入（2026年3月20日至2026年3月27日）",
        "延长 20 个工作日（2026年4月8日批准，批准人：李主任）",
        "答复期限 2026年5月19日",
    ]
    # When the office replies 部分公开 with the parts and posts the letter
    detail = ok(
        post(
            officer,
            f"/{rid}/actions/reply",
            {
                "outcome": "partial",
                "text": "经审查，现向您提供各街道低保资金发放汇总数；领取人个人信息不予公开。",
                "parts": PARTS,
                "replied_on": "2026-05-15",
                "expected_state": "received",
            },
        )
    )
    assert detail["state"] == "replied" and detail["outcome"] == "partial"
    assert detail["outcome_summary"] == "部分公开"
    assert [(p["number"], p["disclosed"], p["reason"]) for p in detail["reply"]["parts"]] == [
        (1, True, ""),
        (2, False, "withheld_third_party"),
    ]
    assert detail["reply"]["parts"][1]["reason_label"] == "4.保护第三方合法权益"
    detail = ok(
        post(
            officer,
            f"/{rid}/deliveries",
            {"document": "reply", "method": "post", "sent_on": "2026-05-15", "reference": "EMS1"},
        ),
        201,
    )
    delivery = detail["deliveries"][0]
    assert delivery["delivered_on"] is None
    assert "delivery-confirm" in names(detail) and "letter" in names(detail)
    detail = ok(
        post(officer, f"/{rid}/deliveries/{delivery['id']}/confirm", {"delivered_on": "2026-05-18"})
    )
    assert detail["deliveries"][0]["delivered_on"] == "2026-05-18"
    assert detail["concluded_on"] == "2026-05-15"
    # Then the reply letter downloads as DOCX
    letter = officer.get(f"{BASE}/{rid}/letter")
    assert letter.status_code == 200
    assert letter["Content-Type"].endswith("wordprocessingml.document")
    assert letter.content[:2] == b"PK"
    # And every step is on the timeline, identifiers never in the answer
    assert [e["verb"] for e in detail["timeline"]] == [
        "disclosure.request.register",
        "disclosure.disclosurerequest.request_supplement_request",
        "disclosure.disclosurerequest.receive_supplement",
        "disclosure.disclosurerequest.open_consultation",
        "disclosure.disclosurerequest.close_consultation",
        "disclosure.extension.approve",
        "disclosure.disclosurerequest.reply",
        "disclosure.delivery.record",
        "disclosure.delivery.confirm",
    ]
    text = officer.get(f"{BASE}/{rid}").content.decode()
    assert RESIDENT_ID not in text and PHONE not in text


def test_an_organisation_is_registered_with_its_credit_code(office):
    applicant = {
        "kind": "business",
        "name": "示例商贸有限公司",
        "id_number": CREDIT_CODE,
        "phone": "021-12345678",
        "contact_person": "李四",
        "email": "office@example.com",
    }
    detail = ok(
        post(
            as_user(office["officer"]),
            "/",
            registration(
                applicant=applicant,
                delivery="email",
                channel="email",
                arrived_on="2026-03-02",
                confirmed_on="2026-03-03",
            ),
        ),
        201,
    )
    assert detail["applicant"]["id_document"] == "credit_code"
    assert detail["applicant"]["id_number_masked"] != CREDIT_CODE
    assert detail["receipt"]["received_on"] == "2026-03-03"  # confirmed with the applicant


def test_a_fee_is_noticed_and_paid(office):
    request = registered(office)
    officer = as_user(office["officer"])
    detail = ok(
        post(
            officer,
            f"/{request.pk}/actions/fee-notice",
            {"basis": "per_page", "quantity": 150, "notice_on": "2026-03-04"},
        )
    )
    assert detail["state"] == "fee" and detail["fee"]["amount"] == "1700.00"
    # The period ran out long ago (today is after 1 April): a payment made in time may still
    # be recorded, and the lapse may be.
    assert names(detail) == ["fee-paid", "fee-lapse", "delivery-record"]
    detail = ok(
        post(
            officer,
            f"/{request.pk}/actions/fee-paid",
            {"paid_on": "2026-03-06", "receipt_number": "No.1", "expected_state": "fee"},
        )
    )
    assert detail["state"] == "received" and detail["due_on"] == "2026-04-01"


def test_lapsed_periods_close_the_request_as_their_outcome(office):
    officer = as_user(office["officer"])
    unpaid = registered(office)
    services.fee_notice(
        actor=office["officer"],
        request=unpaid,
        basis=FeeBasis.PER_PAGE,
        quantity=150,
        notice_on=date(2026, 3, 4),
    )
    assert "fee-lapse" in names(ok(officer.get(f"{BASE}/{unpaid.pk}")))
    detail = ok(post(officer, f"/{unpaid.pk}/actions/fee-lapse", {"expected_state": "fee"}))
    assert (detail["state"], detail["outcome"]) == ("closed", "other_no_fee")
    assert detail["concluded_on"] == "2026-04-02"

    silent = registered(office)
    services.supplement_request_request(
        actor=office["officer"], request=silent, items="请写明年度。", notice_on=date(2026, 3, 5)
    )
    detail = ok(post(officer, f"/{silent.pk}/actions/supplement-lapse", {}))
    assert (detail["state"], detail["outcome"]) == ("closed", "other_no_supplement")
    # A closed request's termination letter can be generated and its delivery recorded.
    assert officer.get(f"{BASE}/{silent.pk}/letter").status_code == 200
    ok(
        post(officer, f"/{silent.pk}/deliveries", {"document": "termination", "method": "post"}),
        201,
    )


# --- Refusals --------------------------------------------------------------------------------

# Every route with a body that passes the schema, so the refusal tested is the one meant.
REPLY = {"outcome": "disclosed", "text": "现向您提供。", "replied_on": "2026-03-20"}
ROUTES = [
    ("get", "/", None),
    ("post", "/", registration()),
    ("get", "/{id}", None),
    ("get", "/{id}/letter", None),
    ("post", "/{id}/actions/supplement-request", {"items": "请写明年度。"}),
    ("post", "/{id}/actions/supplement-received", {"supplement": "2025年度。"}),
    ("post", "/{id}/actions/supplement-lapse", {}),
    (
        "post",
        "/{id}/consultations",
        {"kind": "third_party", "party": "某公司", "subject": "是否同意公开？"},
    ),
    ("post", "/{id}/consultations/1/answer", {"answer": "consent"}),
    ("post", "/{id}/actions/extension", {"days": 5, "reason": "材料较多。"}),
    ("post", "/{id}/actions/fee-notice", {"basis": "per_page", "quantity": 150}),
    ("post", "/{id}/actions/fee-paid", {}),
    ("post", "/{id}/actions/fee-lapse", {}),
    ("post", "/{id}/actions/reply", REPLY),
    ("post", "/{id}/deliveries", {"document": "reply", "method": "post"}),
    ("post", "/{id}/deliveries/1/confirm", {"delivered_on": "2026-03-20"}),
]
ROUTE_IDS = [f"{m} {p}" for m, p, _ in ROUTES]


def call(client, method, path, request, body=None):
    url = BASE + path.replace("{id}", str(request.pk))
    if method == "get":
        return client.get(url)
    return client.post(url, body or {}, content_type="application/json")


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_every_route_needs_a_login(office, method, path, body):
    request = registered(office)
    refused(call(Client(), method, path, request, body), 401, "unauthenticated")


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_a_role_without_disclosure_work_gets_403(office, method, path, body):
    request = registered(office)
    clerk = as_user(office["clerk"])
    events = Event.objects.count()
    refused(call(clerk, method, path, request, body), 403, "not_allowed")
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [r for r in ROUTES if r[1] != "/"],
    ids=[i for i in ROUTE_IDS if not i.endswith(" /")],
)
def test_another_agencys_request_is_not_found(office, method, path, body):
    request = registered(office)
    other = as_user(office["other_officer"])
    events = Event.objects.count()
    refused(call(other, method, path, request, body), 404, "not_found")
    assert Event.objects.count() == events


def test_the_leader_reads_but_may_not_reply_and_the_office_may_not_extend(office):
    request = registered(office)
    leader, officer = as_user(office["leader"]), as_user(office["officer"])
    assert names(ok(leader.get(f"{BASE}/{request.pk}"))) == ["extension"]
    body = {"outcome": "disclosed", "text": "现向您提供。", "replied_on": "2026-03-20"}
    refused(post(leader, f"/{request.pk}/actions/reply", body), 403, "not_allowed")
    extension = {"days": 5, "reason": "材料较多。", "approved_on": "2026-03-20"}
    refused(post(officer, f"/{request.pk}/actions/extension", extension), 403, "not_allowed")
    assert fresh(request).state == "received" and not Extension.objects.exists()


def test_a_stale_expected_state_answers_409_and_changes_nothing(office):
    request = registered(office)
    officer = as_user(office["officer"])
    body = {"outcome": "disclosed", "text": "现向您提供。", "expected_state": "supplement_request"}
    response = post(officer, f"/{request.pk}/actions/reply", body)
    assert refused(response, 409, "state_changed")["message"] == (
        "申请当前为“办理中”，已被他人处理，请刷新后重试。"
    )
    assert not Reply.objects.exists() and fresh(request).state == "received"


def test_a_second_reply_and_a_reply_waiting_for_the_supplement_are_refused(office):
    officer = as_user(office["officer"])
    request = registered(office)
    body = {"outcome": "disclosed", "text": "现向您提供。", "replied_on": "2026-03-20"}
    ok(post(officer, f"/{request.pk}/actions/reply", body))
    refused(post(officer, f"/{request.pk}/actions/reply", body), 409, "state_changed")
    waiting = registered(office)
    services.supplement_request_request(
        actor=office["officer"], request=waiting, items="请写明年度。", notice_on=date(2026, 3, 5)
    )
    refused(post(officer, f"/{waiting.pk}/actions/reply", body), 409, "state_changed")
    assert Reply.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"outcome": "unavailable_unclear"}, 409, "outcome_needs_supplement_request"),
        ({"outcome": "not_processed_excessive"}, 409, "outcome_needs_excessive"),
        ({"outcome": "other_no_supplement"}, 422, "outcome_not_for_reply"),
        ({"outcome": "no_such_row"}, 422, "outcome_invalid"),
        ({"outcome": "disclosed", "parts": PARTS}, 422, "parts_not_allowed"),
        ({"outcome": "partial", "parts": PARTS[:1]}, 422, "parts_incomplete"),
        ({"outcome": "partial", "parts": [PARTS[0]] * 101}, 422, "parts_too_many"),
        ({"outcome": "disclosed", "text": ""}, 422, "reply_text_required"),
        ({"outcome": "disclosed", "replied_on": "1900-01-01"}, 422, "invalid_input"),
    ],
)
def test_a_reply_that_does_not_fit_is_refused_with_nothing_saved(office, body, status, code):
    request = registered(office)
    officer = as_user(office["officer"])
    events = Event.objects.count()
    values = {"text": "现向您提供。", "replied_on": "2026-03-20", **body}
    refused(post(officer, f"/{request.pk}/actions/reply", values), status, code)
    assert not Reply.objects.exists()
    assert (fresh(request).state, fresh(request).outcome) == ("received", "")
    assert Event.objects.count() == events


def test_an_extension_beyond_twenty_days_and_a_second_one_are_refused(office):
    request = registered(office)
    leader = as_user(office["leader"])
    body = {"days": 21, "reason": "材料较多。", "approved_on": "2026-03-20"}
    response = post(leader, f"/{request.pk}/actions/extension", body)
    assert refused(response, 422, "extension_exceeds_limit")["message"] == (
        "延长答复的期限最长不得超过20个工作日。"
    )
    assert not Extension.objects.exists()
    ok(post(leader, f"/{request.pk}/actions/extension", {**body, "days": 5}))
    response = post(leader, f"/{request.pk}/actions/extension", {**body, "days": 5})
    assert refused(response, 409, "extension_once")["message"] == (
        "答复期限只能延长一次，本申请已于2026年3月20日延长5个工作日。"
    )
    assert Extension.objects.get().days == 5 and fresh(request).due_on == date(2026, 4, 7)


def test_a_second_supplement_notice_is_refused(office):
    request = registered(office)
    officer = as_user(office["officer"])
    body = {"items": "请写明年度。", "notice_on": "2026-03-05"}
    ok(post(officer, f"/{request.pk}/actions/supplement-request", body))
    refused(
        post(officer, f"/{request.pk}/actions/supplement-request", body),
        409,
        "supplement_request_once",
    )
    assert SupplementRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("applicant", "changes", "status", "code"),
    [
        ({"id_number": "110105194912310021"}, {}, 422, "resident_id_check_digit"),
        ({"phone": ""}, {}, 422, "phone_required"),
        ({"name": ""}, {}, 422, "applicant_name_required"),
        ({}, {"description": "信" * 100_000}, 422, "description_too_long"),
        ({}, {"arrived_on": "1900-01-01"}, 422, "invalid_input"),
        ({}, {"arrived_on": "2010-01-04"}, 422, "date_too_early"),
        ({}, {"arrived_on": "2099-01-05"}, 422, "date_in_future"),
        ({}, {"channel": "online"}, 422, "channel_invalid"),
        ({}, {"channel": "fax"}, 422, "confirmed_on_required"),
        ({}, {"agency": "999999"}, 422, "agency_invalid"),
        (
            {"kind": "business", "id_number": "91350100M000100Y44"},
            {},
            422,
            "credit_code_check_char",
        ),
    ],
)
def test_bad_registrations_are_refused_with_nothing_saved(office, applicant, changes, status, code):
    values = registration(**changes)
    values["applicant"] = {**values["applicant"], **applicant}
    if applicant.get("kind") == "business":
        values["applicant"].update(id_document="", contact_person="李四")
    officer = as_user(office["officer"])
    events = Event.objects.count()
    response = post(officer, "/", values)
    refused(response, status, code)
    assert not DisclosureRequest.objects.exists()
    assert Event.objects.count() == events


def test_the_registering_agency_must_be_ones_own(office):
    elsewhere = AgencyFactory()
    response = post(as_user(office["officer"]), "/", registration(agency=str(elsewhere.pk)))
    refused(response, 422, "agency_invalid")
    # A leader of the agency reads requests but does not register them.
    refused(post(as_user(office["leader"]), "/", registration()), 403, "not_allowed")
    assert not DisclosureRequest.objects.exists()


def test_no_route_takes_a_transition_by_its_name(office):
    """The guards need the records only the services write; there is no generic action route,
    so a crafted call by a transition's name finds nothing to call."""
    request = registered(office)
    officer = as_user(office["officer"])
    for action in ("reply", "request_supplement_request", "notify_fee", "open_consultation"):
        response = post(officer, f"/{request.pk}/actions/{action}", {"outcome": "disclosed"})
        assert response.status_code in (404, 422)
    assert fresh(request).state == "received" and not Reply.objects.exists()


def test_the_letter_waits_for_the_outcome(office):
    request = registered(office)
    response = as_user(office["officer"]).get(f"{BASE}/{request.pk}/letter")
    refused(response, 409, "letter_not_concluded")


def test_odd_ids_are_not_found(office):
    officer = as_user(office["officer"])
    for rid in ("³", "99999999999999999999", "abc", "0"):
        assert officer.get(f"{BASE}/{rid}").status_code == 404


# --- The worklist ----------------------------------------------------------------------------


def test_the_worklist_filters_and_pages(office):
    march = registered(office, received_on=date(2026, 3, 2))
    late_2025 = registered(office, received_on=date(2025, 12, 1))
    business = registered(office, received_on=date(2026, 11, 25), applicant=None)
    services.reply(
        actor=office["officer"],
        request=march,
        outcome=Outcome.DISCLOSED,
        text="现向您提供。",
        replied_on=date(2026, 3, 20),
    )
    elsewhere = AgencyFactory(short_name="它")
    user_with_role(Role.LEGAL_OFFICER, agency=elsewhere)
    officer = as_user(office["officer"])

    def ids(**query) -> list[str]:
        return [i["id"] for i in ok(officer.get(f"{BASE}/", query))["items"]]

    assert ids() == [str(business.pk), str(late_2025.pk), str(march.pk)]
    assert ids(state="replied") == [str(march.pk)]
    assert ids(year="2025") == [str(late_2025.pk)]
    assert ids(outcome="disclosed") == [str(march.pk)]
    assert ids(applicant_kind="business") == []
    assert ids(overdue="true") == [str(late_2025.pk)]
    assert ids(overdue="false") == [str(business.pk), str(march.pk)]
    first = ok(officer.get(f"{BASE}/", {"limit": "2"}))
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = ok(officer.get(f"{BASE}/", {"limit": "2", "cursor": first["next_cursor"]}))
    assert [i["id"] for i in second["items"]] == [str(march.pk)] and not second["next_cursor"]
    row = ok(officer.get(f"{BASE}/", {"state": "replied"}))["items"][0]
    assert row["outcome_label"] == "（一）予以公开" and row["overdue"] is False
    assert row["tracking_number"] == march.tracking_number


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"year": "1900"}, "bad_year"),
        ({"year": "２０２６"}, "bad_year"),
        ({"state": "lost"}, "bad_state"),
        ({"applicant_kind": "alien"}, "bad_applicant_kind"),
        ({"outcome": "maybe"}, "bad_outcome"),
        ({"overdue": "yes"}, "bad_filter"),
        ({"limit": "0"}, "bad_limit"),
        ({"cursor": "!!"}, "bad_cursor"),
    ],
)
def test_bad_filters_are_refused(office, query, code):
    refused(as_user(office["officer"]).get(f"{BASE}/", query), 422, code)


def test_the_worklist_costs_the_same_queries_however_many_requests(office):
    officer = as_user(office["officer"])

    def fetch():
        ok(officer.get(f"{BASE}/"))

    def grow(n):
        for _ in range(n):
            registered(office)

    assert_constant_queries(fetch, grow, extra_rows=8)


# --- Reconsiderations and lawsuits -------------------------------------------------------------


def test_a_reconsideration_is_recorded_listed_and_decided_once(office):
    request = registered(office)
    officer = as_user(office["officer"])
    body = {
        "kind": "reconsideration",
        "subject": "对答复不服",
        "filed_on": "2026-04-20",
        "body": "示例区人民政府",
        "request": str(request.pk),
    }
    created = ok(officer.post(f"{CHALLENGES}/", body, content_type="application/json"), 201)
    assert created["result"] == "pending"
    assert created["request_tracking_number"] == request.tracking_number
    listed = ok(officer.get(f"{CHALLENGES}/", {"year": "2026", "result": "pending"}))
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    decide = {"result": "upheld", "result_on": "2026-06-01"}
    decided = ok(
        officer.post(
            f"{CHALLENGES}/{created['id']}/decide", decide, content_type="application/json"
        )
    )
    assert (decided["result"], decided["result_label"]) == ("upheld", "维持")
    again = officer.post(
        f"{CHALLENGES}/{created['id']}/decide", decide, content_type="application/json"
    )
    refused(again, 409, "challenge_decided")
    # Another agency's officer sees nothing; a clerk may not; nobody anonymous.
    other = as_user(office["other_officer"])
    refused(other.get(f"{CHALLENGES}/{created['id']}"), 404, "not_found")
    refused(
        other.post(f"{CHALLENGES}/{created['id']}/decide", decide, content_type="application/json"),
        404,
        "not_found",
    )
    assert ok(other.get(f"{CHALLENGES}/"))["items"] == []
    refused(as_user(office["clerk"]).get(f"{CHALLENGES}/"), 403, "not_allowed")
    refused(Client().get(f"{CHALLENGES}/"), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": "appeal"}, "kind_required"),
        ({"subject": ""}, "subject_required"),
        ({"filed_on": "2099-01-01"}, "date_in_future"),
        ({"request": "999999"}, "request_invalid"),
    ],
)
def test_bad_challenges_are_refused_with_nothing_saved(office, changes, code):
    body = {
        "kind": "litigation_direct",
        "subject": "对答复不服",
        "filed_on": "2026-04-20",
        "body": "示例区人民法院",
        **changes,
    }
    response = as_user(office["officer"]).post(
        f"{CHALLENGES}/", body, content_type="application/json"
    )
    refused(response, 422, code)
    assert not DisclosureChallenge.objects.exists()
