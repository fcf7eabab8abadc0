"""Staff pages of disclosure requests: the worklist, registration, every step form, the letter."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from fazhi.core.calendar import add_workdays
from fazhi.disclosure import selectors, services
from fazhi.disclosure.models import (
    DeliveryRecord,
    DisclosureChallenge,
    DisclosureRequest,
    Extension,
    FeeNotice,
    Reply,
    ReplyPart,
    SupplementRequest,
    ThirdPartyConsultation,
)
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.tests.conftest import RESIDENT_ID, company, registered
from fazhi.testing.clients import verified_client
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("disclosure:requests")
REGISTER = reverse("disclosure:request_register")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def page_url(record) -> str:
    return reverse("disclosure:request", args=[record.pk])


def step_url(record, step: str) -> str:
    return reverse("disclosure:request_step", args=[record.pk, step])


def post_step(client, record, step: str, data: dict | None = None, **kwargs):
    body = {f"{step}-{key}": value for key, value in (data or {}).items()}
    body.update(kwargs)
    return client.post(step_url(record, step), body)


def parts(*rows) -> dict:
    data = {
        "parts-TOTAL_FORMS": str(len(rows)),
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"parts-{index}-{key}"] = value
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def officer(office):
    return verified_client(office["officer"])


@pytest.fixture
def leader(office):
    return verified_client(office["leader"])


# --- The worklist -----------------------------------------------------------------------------


def test_the_worklist_keeps_its_query_count_as_requests_grow(office, officer):
    made = []

    def grow(n):
        for _ in range(n):
            record = registered(office)
            services.consultation_open(
                actor=office["officer"],
                request=record,
                kind="third_party",
                party="某公司",
                subject="是否同意公开",
                sent_on=date(2026, 3, 3),
            )
            made.append(record)

    def fetch():
        response = officer.get(LIST)
        assert response.status_code == 200

    assert_constant_queries(fetch, grow)
    assert len(officer.get(LIST).context["rows"]) == len(made)


def test_the_worklist_bounds_its_queries(office, officer, django_assert_max_num_queries):
    for _ in range(12):
        registered(office)
    officer.get(LIST)
    with django_assert_max_num_queries(20):
        response = officer.get(LIST)
    assert response.status_code == 200


def test_open_requests_come_first_by_due_date_and_are_coloured(office, officer):
    today = timezone.localdate()
    overdue = registered(office)  # received in March: long overdue
    soon = registered(office, received_on=today)
    later = registered(office, received_on=today)
    DisclosureRequest.objects.filter(pk=soon.pk).update(
        due_on=add_workdays(today, 2), due_provisional=True
    )
    DisclosureRequest.objects.filter(pk=later.pk).update(due_on=add_workdays(today, 15))
    done = registered(office)
    services.reply(
        actor=office["officer"],
        request=done,
        outcome=Outcome.DISCLOSED,
        text="予以公开。",
        replied_on=date(2026, 3, 10),
    )
    response = officer.get(LIST)
    order = [row["record"].pk for row in response.context["rows"]]
    assert order == [overdue.pk, soon.pk, later.pk, done.pk]
    rows = {row["record"].pk: row for row in response.context["rows"]}
    assert rows[overdue.pk]["overdue"] and not rows[overdue.pk]["due_soon"]
    assert rows[soon.pk]["due_soon"] and not rows[later.pk]["due_soon"]
    assert not rows[done.pk]["overdue"] and rows[done.pk]["actions"] >= 1
    html = response.content.decode()
    assert 'class="table-danger"' in html and 'class="table-warning"' in html
    assert "暂定" in html
    # The officer may supplement, consult, charge or reply on a request received today.
    assert rows[later.pk]["actions"] >= 4


def test_filters_narrow_the_worklist(office, officer):
    person_2026 = registered(office)
    organisation = registered(office, applicant=company(), delivery="email")
    last_year = registered(office, received_on=date(2025, 12, 1))
    replied = registered(office)
    services.reply(
        actor=office["officer"],
        request=replied,
        outcome=Outcome.UNAVAILABLE_NOT_HELD,
        text="本机关不掌握。",
        replied_on=date(2026, 3, 10),
    )

    def shown(**query):
        return {row["record"].pk for row in officer.get(LIST, query).context["rows"]}

    everything = {person_2026.pk, organisation.pk, last_year.pk, replied.pk}
    assert shown() == everything
    assert shown(state="replied") == {replied.pk}
    assert shown(state="open") == everything - {replied.pk}
    assert shown(year=2025) == {last_year.pk}
    assert shown(applicant_kind="business") == {organisation.pk}
    assert shown(outcome=Outcome.UNAVAILABLE_NOT_HELD) == {replied.pk}
    assert shown(q=last_year.tracking_number) == {last_year.pk}
    # Nonsense in a filter is ignored, not a 500.
    assert officer.get(LIST, {"state": "nope", "year": "x"}).status_code == 200


def test_the_worklist_needs_the_list_permission(office):
    assert verified_client(office["clerk"]).get(LIST).status_code == 403
    anonymous = verified_client(office["officer"])
    anonymous.logout()
    assert anonymous.get(LIST).status_code == 302


def test_the_leader_sees_the_worklist_but_cannot_register(office, leader):
    assert leader.get(LIST).status_code == 200
    assert leader.get(REGISTER).status_code == 403


# --- Registration -----------------------------------------------------------------------------


def register_post(**changes) -> dict:
    values = {
        "channel": "registered_mail",
        "arrived_on": "2026-03-02",
        "applicant_kind": "natural_person",
        "name": "张三",
        "id_document": "resident_id",
        "id_number": RESIDENT_ID,
        "phone": "13812345678",
        "address": "示例区人民路1号",
        "description": "2025年度本区临时救助资金的发放汇总情况。",
        "info_form": "paper",
        "delivery": "post",
    }
    values.update(changes)
    return values


def test_staff_register_a_letter_and_see_the_receipt_rule(office, officer):
    response = officer.post(REGISTER, register_post())
    record = DisclosureRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == page_url(record)
    assert record.received_on == date(2026, 3, 2) and record.channel == "registered_mail"
    page = officer.get(page_url(record))
    html = page.content.decode()
    assert record.receipt_rule in html
    assert RESIDENT_ID not in html and "13812345678" not in html
    assert page.context["masked_phone"] in html


def test_a_refused_registration_saves_nothing(office, officer):
    response = officer.post(REGISTER, register_post(id_number="110105194912310021"))
    assert response.status_code == 422
    assert response.context["form"].errors["id_number"]
    response = officer.post(REGISTER, register_post(channel="online"))
    assert response.status_code == 422
    assert "信函" in response.context["form"].errors["channel"][0]
    assert not DisclosureRequest.objects.exists()


# --- The request page -------------------------------------------------------------------------


def test_the_page_explains_the_due_date_and_masks_the_applicant(office, officer):
    record = registered(office)
    response = officer.get(page_url(record))
    assert response.status_code == 200
    html = response.content.decode()
    due = selectors.due_explained(record)
    assert due.explanation in html
    assert RESIDENT_ID not in html
    assert 'data-verb="disclosure.request.register"' in html


def test_the_page_is_404_outside_the_agency_and_403_without_the_role(office):
    record = registered(office)
    assert verified_client(office["other_officer"]).get(page_url(record)).status_code == 404
    assert verified_client(office["clerk"]).get(page_url(record)).status_code == 403
    response = verified_client(office["other_officer"]).post(
        step_url(record, "reply"), {"reply-outcome": "disclosed", "reply-text": "x"}
    )
    assert response.status_code == 404
    assert record.__class__.objects.get(pk=record.pk).state == "received"


def test_a_leader_without_a_legal_office_role_sees_the_page_but_no_handling_forms(office, leader):
    record = registered(office, received_on=timezone.localdate())
    response = leader.get(page_url(record))
    assert response.status_code == 200
    assert response.context["steps"] == ["extension"]


# --- 补正 -------------------------------------------------------------------------------------


def test_supplement_request_then_received(office, officer):
    record = registered(office)
    response = post_step(
        officer, record, "supplement_request", {"items": "请写明年份。", "notice_on": "2026-03-04"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "supplement_request"
    response = post_step(
        officer,
        record,
        "supplement_received",
        {"supplement": "2025年度。", "supplemented_on": "2026-03-06"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "received"
    assert record.supplement_request.supplemented_on == date(2026, 3, 6)
    assert record.due_on == selectors.due_explained(record).due_on


def test_a_supplement_request_without_items_is_422_and_saves_nothing(office, officer):
    record = registered(office)
    response = post_step(officer, record, "supplement_request", {"items": ""})
    assert response.status_code == 422
    assert not SupplementRequest.objects.exists()


def test_a_late_supplement_request_is_refused_with_the_message(office, officer):
    record = registered(office)
    response = post_step(
        officer, record, "supplement_request", {"items": "请写明年份。", "notice_on": "2026-03-20"}
    )
    assert response.status_code == 409
    assert any("7个工作日" in m for m in messages_of(response))
    assert not SupplementRequest.objects.exists()


def test_a_supplement_before_the_notice_is_refused(office, officer):
    record = registered(office)
    services.supplement_request_request(
        actor=office["officer"], request=record, items="请写明年份。", notice_on=date(2026, 3, 4)
    )
    response = post_step(
        officer, record, "supplement_received", {"supplement": "x", "supplemented_on": "2026-03-03"}
    )
    assert response.status_code == 422
    assert SupplementRequest.objects.get().supplemented_on is None


def test_lapse_only_when_the_period_is_over(office, officer):
    today = timezone.localdate()
    fresh = registered(office, received_on=today)
    services.supplement_request_request(
        actor=office["officer"], request=fresh, items="请写明年份。"
    )
    response = post_step(officer, fresh, "supplement_lapse")
    assert response.status_code == 409
    fresh.refresh_from_db()
    assert fresh.state == "supplement_request"
    old = registered(office)
    services.supplement_request_request(
        actor=office["officer"], request=old, items="请写明年份。", notice_on=date(2026, 3, 4)
    )
    assert "supplement_lapse" in officer.get(page_url(old)).context["steps"]
    assert post_step(officer, old, "supplement_lapse").status_code == 302
    old.refresh_from_db()
    assert old.state == "closed" and old.outcome == Outcome.OTHER_NO_SUPPLEMENT


# --- Consultation -----------------------------------------------------------------------------


def test_consultation_open_and_answer(office, officer):
    record = registered(office)
    response = post_step(
        officer,
        record,
        "consultation_open",
        {
            "kind": "third_party",
            "party": "某公司",
            "subject": "是否同意公开",
            "sent_on": "2026-03-03",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "consultation"
    consultation = ThirdPartyConsultation.objects.get()
    response = post_step(
        officer,
        record,
        "consultation_answer",
        {"consultation": consultation.pk, "answer": "consent", "answered_on": "2026-03-10"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "received"


def test_consultation_refusals(office, officer):
    record = registered(office)
    response = post_step(
        officer, record, "consultation_open", {"kind": "third_party", "subject": "是否同意公开"}
    )
    assert response.status_code == 422
    assert not ThirdPartyConsultation.objects.exists()
    services.consultation_open(
        actor=office["officer"],
        request=record,
        kind="third_party",
        party="某公司",
        subject="是否同意公开",
        sent_on=date(2026, 3, 3),
    )
    consultation = ThirdPartyConsultation.objects.get()
    response = post_step(
        officer,
        record,
        "consultation_answer",
        {"consultation": consultation.pk, "answer": "no_answer", "answered_on": "2026-03-05"},
    )
    assert response.status_code == 409
    consultation.refresh_from_db()
    assert consultation.answered_on is None


# --- Extension --------------------------------------------------------------------------------


def test_only_the_leader_extends_and_only_once(office, officer, leader):
    record = registered(office)
    data = {"days": "10", "reason": "需要调取档案。", "approved_on": "2026-03-20"}
    response = post_step(officer, record, "extension", data)
    assert response.status_code == 403
    assert not Extension.objects.exists()
    assert "extension" not in officer.get(page_url(record)).context["steps"]
    response = post_step(leader, record, "extension", data)
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert extension.days == 10 and extension.due_after > extension.due_before
    response = post_step(leader, record, "extension", data)
    assert response.status_code == 409
    assert any("只能延长一次" in m for m in messages_of(response))
    assert Extension.objects.count() == 1


def test_an_extension_beyond_the_limit_is_422(office, leader):
    record = registered(office)
    response = post_step(
        leader, record, "extension", {"days": "25", "reason": "x", "approved_on": "2026-03-20"}
    )
    assert response.status_code == 422
    assert not Extension.objects.exists()


# --- Fees -------------------------------------------------------------------------------------


def test_fee_notice_and_payment(office, officer):
    record = registered(office)
    response = post_step(
        officer,
        record,
        "fee_notice",
        {"basis": "per_page", "quantity": "50", "notice_on": "2026-03-04"},
    )
    assert response.status_code == 302
    assert FeeNotice.objects.get().amount == 200
    response = post_step(officer, record, "fee_paid", {"paid_on": "2026-03-06"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "received"


def test_fee_within_the_free_allowance_is_422(office, officer):
    record = registered(office)
    response = post_step(officer, record, "fee_notice", {"basis": "per_page", "quantity": "10"})
    assert response.status_code == 422
    assert any("免费" in m for m in messages_of(response))
    assert not FeeNotice.objects.exists()


def test_late_payment_is_refused_and_the_fee_lapses(office, officer):
    record = registered(office)
    services.fee_notice(
        actor=office["officer"],
        request=record,
        basis="per_page",
        quantity=50,
        notice_on=date(2026, 3, 4),
    )
    response = post_step(officer, record, "fee_paid", {"paid_on": "2026-06-01"})
    assert response.status_code == 409
    assert FeeNotice.objects.get().paid_on is None
    assert post_step(officer, record, "fee_lapse").status_code == 302
    record.refresh_from_db()
    assert record.state == "closed" and record.outcome == Outcome.OTHER_NO_FEE


# --- Reply ------------------------------------------------------------------------------------

PARTIAL_ROWS = (
    {"description": "2025年度发放汇总表", "disclosed": "yes"},
    {
        "description": "受助人员名单",
        "disclosed": "no",
        "reason": Outcome.WITHHELD_THIRD_PARTY,
        "explanation": "涉及个人隐私。",
    },
    {"description": "", "disclosed": "yes"},
)


def test_a_partial_reply_with_parts_then_the_letter(office, officer):
    record = registered(office)
    response = officer.post(
        step_url(record, "reply"),
        {
            "reply-outcome": Outcome.PARTIAL,
            "reply-text": "请查收。",
            "reply-replied_on": "2026-03-20",
            **parts(*PARTIAL_ROWS),
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "replied" and record.outcome == Outcome.PARTIAL
    assert [(p.number, p.disclosed) for p in ReplyPart.objects.all()] == [(1, True), (2, False)]
    letter = officer.get(reverse("disclosure:request_letter", args=[record.pk]))
    assert letter.status_code == 200 and letter["Content-Type"] == DOCX
    assert letter.content[:2] == b"PK"
    assert "attachment" in letter["Content-Disposition"]


def test_the_letter_is_404_before_the_reply(office, officer):
    record = registered(office)
    assert officer.get(reverse("disclosure:request_letter", args=[record.pk])).status_code == 404


def test_the_reply_form_offers_exactly_the_21_rows(office, officer):
    record = registered(office, received_on=timezone.localdate())
    html = officer.get(page_url(record)).content.decode()
    select = html.split('name="reply-outcome"', 1)[1].split("</select>", 1)[0]
    assert select.count("<option") == 21 + 1  # and the blank "请选择"
    assert select.count("<optgroup") == 4
    assert select.count("disabled") == 2  # reached only when a period lapses


def test_a_partial_reply_without_a_withheld_part_is_422_and_saves_nothing(office, officer):
    record = registered(office)
    response = officer.post(
        step_url(record, "reply"),
        {
            "reply-outcome": Outcome.PARTIAL,
            "reply-text": "请查收。",
            **parts({"description": "汇总表", "disclosed": "yes"}),
        },
    )
    assert response.status_code == 422
    assert any("第三十七条" in m for m in messages_of(response))
    assert not Reply.objects.exists() and not ReplyPart.objects.exists()
    record.refresh_from_db()
    assert record.state == "received"
    # The form comes back as typed.
    assert "汇总表" in response.content.decode()


def test_an_outcome_that_does_not_fit_the_request_is_refused(office, officer):
    record = registered(office)
    response = officer.post(
        step_url(record, "reply"),
        {"reply-outcome": Outcome.UNAVAILABLE_UNCLEAR, "reply-text": "仍不明确。", **parts()},
    )
    assert response.status_code == 409
    response = officer.post(
        step_url(record, "reply"),
        {"reply-outcome": Outcome.OTHER_NO_FEE, "reply-text": "x", **parts()},
    )
    assert response.status_code == 422
    services.supplement_request_request(
        actor=office["officer"], request=record, items="请写明年份。", notice_on=date(2026, 3, 4)
    )
    response = officer.post(
        step_url(record, "reply"),
        {"reply-outcome": Outcome.DISCLOSED, "reply-text": "x", **parts()},
    )
    assert response.status_code == 409
    assert not Reply.objects.exists()


# --- Delivery and challenges ------------------------------------------------------------------


def replied(office):
    record = registered(office)
    services.reply(
        actor=office["officer"],
        request=record,
        outcome=Outcome.DISCLOSED,
        text="予以公开。",
        replied_on=date(2026, 3, 10),
    )
    return record


def test_delivery_record_and_confirm(office, officer):
    record = replied(office)
    response = post_step(
        officer,
        record,
        "delivery",
        {"document": "reply", "method": "post", "sent_on": "2026-03-11", "reference": "EMS1"},
    )
    assert response.status_code == 302
    delivery = DeliveryRecord.objects.get()
    response = post_step(
        officer, record, "delivery_confirm", {"delivery": delivery.pk, "delivered_on": "2026-03-10"}
    )
    assert response.status_code == 422
    delivery.refresh_from_db()
    assert delivery.delivered_on is None
    response = post_step(
        officer, record, "delivery_confirm", {"delivery": delivery.pk, "delivered_on": "2026-03-13"}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.delivered_on == date(2026, 3, 13)


def test_delivering_a_document_that_does_not_exist_is_refused(office, officer):
    record = replied(office)
    response = post_step(officer, record, "delivery", {"document": "extension", "method": "post"})
    assert response.status_code == 409
    assert not DeliveryRecord.objects.exists()


def test_challenge_record_and_decide_once(office, officer):
    record = replied(office)
    response = post_step(
        officer, record, "challenge", {"kind": "reconsideration", "filed_on": "2026-04-01"}
    )
    assert response.status_code == 422
    assert not DisclosureChallenge.objects.exists()
    response = post_step(
        officer,
        record,
        "challenge",
        {
            "kind": "reconsideration",
            "subject": "不服答复",
            "filed_on": "2026-04-01",
            "body": "示例区人民政府",
        },
    )
    assert response.status_code == 302
    challenge = DisclosureChallenge.objects.get()
    assert challenge.request == record
    decide = {"challenge": challenge.pk, "result": "upheld", "result_on": "2026-06-01"}
    assert post_step(officer, record, "challenge_decide", decide).status_code == 302
    decide["result"] = "corrected"
    assert post_step(officer, record, "challenge_decide", decide).status_code == 409
    challenge.refresh_from_db()
    assert challenge.result == "upheld"
    html = officer.get(page_url(record)).content.decode()
    assert 'data-verb="disclosure.challenge_decide"' in html


def test_an_unknown_step_is_404(office, officer):
    record = registered(office)
    assert officer.post(step_url(record, "teleport")).status_code == 404
    assert officer.get(step_url(record, "reply")).status_code == 405


def test_a_step_on_another_record_is_404(office, officer):
    record = registered(office)
    other = replied(office)
    services.delivery_record(
        actor=office["officer"], request=other, document="reply", method="post"
    )
    delivery = DeliveryRecord.objects.get()
    # A delivery of another request cannot be confirmed through this one.
    response = post_step(
        officer,
        record,
        "delivery_confirm",
        {"delivery": delivery.pk, "delivered_on": timezone.localdate().isoformat()},
    )
    assert response.status_code in (404, 422)
    delivery.refresh_from_db()
    assert delivery.delivered_on is None


# --- 待办 -------------------------------------------------------------------------------------


def test_due_and_overdue_requests_are_the_legal_offices_tasks(office):
    from fazhi.workspace.tasks import tasks_for

    today = timezone.localdate()
    overdue = registered(office)
    later = registered(office, received_on=today)
    DisclosureRequest.objects.filter(pk=later.pk).update(due_on=add_workdays(today, 10))
    done = replied(office)
    urls = [task.url for task in tasks_for(office["officer"])]
    assert page_url(overdue) in urls
    assert page_url(later) not in urls and page_url(done) not in urls
    task = next(t for t in tasks_for(office["officer"]) if t.url == page_url(overdue))
    assert task.overdue and overdue.tracking_number in str(task.title)
    assert not any("/staff/disclosure/" in t.url for t in tasks_for(office["other_officer"]))
    assert not any("/staff/disclosure/" in t.url for t in tasks_for(office["leader"]))


def test_district_oversight_reads_the_page_but_takes_no_step(office):
    from fazhi.core.roles import Role
    from fazhi.testing.factories import user_with_role

    overseer = verified_client(user_with_role(Role.DISTRICT_OVERSEER, agency=office["agency"]))
    record = registered(office)
    response = overseer.get(page_url(record))
    assert response.status_code == 200 and response.context["steps"] == []
    response = post_step(overseer, record, "supplement_request", {"items": "请写明年份。"})
    assert response.status_code == 404
    assert not SupplementRequest.objects.exists()
