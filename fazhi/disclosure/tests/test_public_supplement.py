"""The applicant sends the 补正 on the portal's status page and downloads the reply letter."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Event
from fazhi.disclosure import selectors, services
from fazhi.disclosure.models import DisclosureRequest, SupplementRequest
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.tests.conftest import PHONE, registered

pytestmark = pytest.mark.django_db

STATUS = reverse("disclosure_public:status")
SUPPLEMENT = reverse("disclosure_public:supplement")
LETTER = reverse("disclosure_public:letter")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def waiting(office):
    """A request received today whose 补正 notice went out today."""
    record = registered(office, received_on=timezone.localdate())
    services.supplement_request_request(
        actor=office["officer"], request=record, items="请写明所需信息的年份和地区。"
    )
    record.refresh_from_db()
    return record


def send(client, record, text="2025年度，示例区。", phone=PHONE, token=None):
    return client.post(
        SUPPLEMENT,
        {
            "tracking_number": record.tracking_number,
            "phone": phone,
            "supplement": text,
            "token": token or uuid.uuid4().hex,
        },
    )


# --- The service ------------------------------------------------------------------------------


def test_the_supplement_is_recorded_like_the_offices_and_restarts_the_clock(waiting):
    record = services.supplement_submit_public(
        tracking_number=waiting.tracking_number,
        phone=PHONE,
        supplement="2025年度，示例区。",
        idempotency_key="k" * 32,
    )
    assert record.state == "received"
    supplement_request = SupplementRequest.objects.get(request=record)
    today = timezone.localdate()
    assert supplement_request.supplemented_on == today
    assert supplement_request.supplement == "2025年度，示例区。"
    assert supplement_request.recorded_by is None and supplement_request.late_reason == ""
    record.refresh_from_db()
    due = selectors.due_explained(record)
    assert due.start_on == today and record.due_on == due.due_on
    event = Event.objects.get(verb="disclosure.disclosurerequest.receive_supplement")
    assert event.actor_id is None and event.actor_name == "申请人"
    assert (event.from_state, event.to_state) == ("supplement_request", "received")


def test_a_wrong_phone_is_answered_like_an_unknown_number(waiting):
    with pytest.raises(services.NotFound) as wrong_phone:
        services.supplement_submit_public(
            tracking_number=waiting.tracking_number, phone="13900000000", supplement="x"
        )
    with pytest.raises(services.NotFound) as unknown:
        services.supplement_submit_public(
            tracking_number="示民依申〔2026〕999号", phone=PHONE, supplement="x"
        )
    assert str(wrong_phone.value) == str(unknown.value)
    assert SupplementRequest.objects.get().supplemented_on is None


def test_sending_twice_records_one_supplement(waiting):
    def once():
        return services.supplement_submit_public(
            tracking_number=waiting.tracking_number,
            phone=PHONE,
            supplement="2025年度，示例区。",
            idempotency_key="k" * 32,
        )

    once()
    once()
    assert Event.objects.filter(verb="disclosure.disclosurerequest.receive_supplement").count() == 1
    # A different text after the supplement is a conflict, not a second supplement.
    with pytest.raises(Conflict):
        services.supplement_submit_public(
            tracking_number=waiting.tracking_number, phone=PHONE, supplement="另一份补正"
        )


def test_no_supplement_when_none_was_asked_or_the_period_is_over(office):
    received = registered(office, received_on=timezone.localdate())
    with pytest.raises(Conflict):
        services.supplement_submit_public(
            tracking_number=received.tracking_number, phone=PHONE, supplement="x"
        )
    old = registered(office)
    services.supplement_request_request(
        actor=office["officer"], request=old, items="请写明年份。", notice_on=date(2026, 3, 4)
    )
    with pytest.raises(Conflict) as late:
        services.supplement_submit_public(
            tracking_number=old.tracking_number, phone=PHONE, supplement="x"
        )
    assert late.value.code == "supplement_late"
    assert SupplementRequest.objects.get(request=old).supplemented_on is None


def test_an_empty_supplement_is_refused(waiting):
    with pytest.raises(InvalidInput):
        services.supplement_submit_public(
            tracking_number=waiting.tracking_number, phone=PHONE, supplement="  "
        )
    assert SupplementRequest.objects.get().supplemented_on is None


# --- The status page --------------------------------------------------------------------------


def test_the_status_page_shows_the_notice_and_takes_the_supplement(client, waiting):
    response = client.post(STATUS, {"tracking_number": waiting.tracking_number, "phone": PHONE})
    html = response.content.decode()
    assert response.status_code == 200
    assert "请写明所需信息的年份和地区。" in html and 'id="supplement-form"' in html
    assert waiting.supplement_request.supplement_due_on.strftime("%-m月%-d日") in html
    response = send(client, waiting)
    assert response.status_code == 200
    record = DisclosureRequest.objects.get(pk=waiting.pk)
    assert record.state == "received"
    html = response.content.decode()
    assert 'id="supplement-sent"' in html and 'id="supplement-form"' not in html
    due = selectors.due_explained(record)
    assert f"{due.due_on.year}年{due.due_on.month}月{due.due_on.day}日" in html


def test_the_page_answers_a_wrong_pair_with_the_same_404(client, waiting):
    response = send(client, waiting, phone="13900000000")
    assert response.status_code == 404
    assert 'id="not-found"' in response.content.decode()
    assert SupplementRequest.objects.get().supplemented_on is None
    # Even with the text missing, a wrong pair says only "not found".
    response = send(client, waiting, text="", phone="13900000000")
    assert response.status_code == 404


def test_an_empty_supplement_on_the_page_is_400_and_keeps_the_form(client, waiting):
    response = send(client, waiting, text="")
    assert response.status_code == 400
    assert "请填写补正内容。" in response.content.decode()
    assert SupplementRequest.objects.get().supplemented_on is None


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 1})
def test_the_supplement_is_rate_limited(client, waiting):
    from django.core.cache import cache

    cache.clear()
    assert send(client, waiting, phone="13900000000").status_code == 404
    assert send(client, waiting).status_code == 429
    assert SupplementRequest.objects.get().supplemented_on is None


def test_the_replied_applicant_downloads_the_letter_after_checking(client, office):
    record = registered(office)
    services.reply(
        actor=office["officer"],
        request=record,
        outcome=Outcome.DISCLOSED,
        text="请查收。",
        replied_on=date(2026, 3, 20),
    )
    body = {"tracking_number": record.tracking_number, "phone": PHONE}
    # Not without the check in this session.
    assert client.post(LETTER, body).status_code == 404
    response = client.post(STATUS, body)
    html = response.content.decode()
    assert "2026年3月20日" in html and 'id="letter-form"' in html
    letter = client.post(LETTER, body)
    assert letter.status_code == 200 and letter["Content-Type"] == DOCX
    assert letter.content[:2] == b"PK"
    # A wrong phone gets nothing, even in a session that verified the request.
    assert client.post(LETTER, {**body, "phone": "13900000000"}).status_code == 404
    assert client.get(LETTER).status_code == 405


def test_no_letter_for_an_open_request(client, waiting):
    body = {"tracking_number": waiting.tracking_number, "phone": PHONE}
    assert 'id="letter-form"' not in client.post(STATUS, body).content.decode()
    assert client.post(LETTER, body).status_code == 404
