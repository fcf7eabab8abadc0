"""Intake: the portal form and staff registration, with every kind of bad input refused."""

import uuid
from datetime import date, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.models import Notification
from fazhi.disclosure import selectors, services
from fazhi.disclosure.choices import ApplicantKind, Channel, DeliveryMethod, IdDocument
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.tests.conftest import (
    CREDIT_CODE,
    OTHER_RESIDENT_ID,
    PHONE,
    RESIDENT_ID,
    company,
    person,
    registered,
    submitted,
)

pytestmark = pytest.mark.django_db


def test_a_citizen_submits_online_and_gets_a_tracking_number(office):
    # When a citizen submits the portal form
    request = submitted(office)
    today = timezone.localdate()
    # Then the request is received today with the agency's next tracking number
    assert request.tracking_number == f"示民依申〔{today.year}〕1号"
    assert request.state == "received"
    assert request.channel == Channel.ONLINE
    assert request.received_on == today
    assert request.due_on == selectors.due_explained(request).due_on
    # And the identity is stored encrypted, shown masked
    stored = DisclosureRequest.objects.get(pk=request.pk)
    assert str(stored.resident_id) == "110***********002X"
    assert stored.resident_id.decrypt() == RESIDENT_ID
    assert stored.phone.matches(PHONE)
    raw = DisclosureRequest.objects.filter(pk=request.pk).values_list("resident_id", flat=True)
    assert RESIDENT_ID not in str(list(raw))
    # And the legal office is told
    notice = Notification.objects.get(kind="disclosure_received")
    assert notice.recipient == office["officer"]
    assert notice.title == f"新的政府信息公开申请 {request.tracking_number}"


def test_the_audit_event_names_the_request_but_no_personal_data(office):
    request = submitted(office)
    event = Event.objects.get(verb="disclosure.request.submit")
    assert event.actor is None
    assert event.actor_name == "申请人"
    assert event.target_id == str(request.pk)
    assert event.data["tracking_number"] == request.tracking_number
    assert event.data["applicant_kind"] == "natural_person"
    assert RESIDENT_ID not in str(event.data) and "张三" not in str(event.data)


def test_a_double_submission_makes_one_request(office):
    token = uuid.uuid4().hex
    first = submitted(office, idempotency_key=token)
    again = submitted(office, idempotency_key=token, description="重复点击提交")
    assert again.pk == first.pk
    assert DisclosureRequest.objects.count() == 1


def test_a_token_cannot_be_replayed_against_another_agency(office):
    from fazhi.testing.factories import AgencyFactory

    token = uuid.uuid4().hex
    submitted(office, idempotency_key=token)
    with pytest.raises(InvalidInput) as refused:
        submitted(office, agency=AgencyFactory(), idempotency_key=token)
    assert refused.value.code == "bad_token"


def test_the_public_form_is_rate_limited(office, settings):
    settings.FAZHI_RATE_LIMITS = {**settings.FAZHI_RATE_LIMITS, "public_form": 2}
    http = RequestFactory().post("/disclosure/apply/", REMOTE_ADDR="203.0.113.9")
    submitted(office, http_request=http)
    submitted(office, http_request=http)
    with pytest.raises(services.TooManyRequests) as refused:
        submitted(office, http_request=http)
    assert refused.value.status == 429
    assert str(refused.value.message) == "提交过于频繁，请稍后再试。"
    assert DisclosureRequest.objects.count() == 2


def test_staff_register_a_letter_with_the_date_they_confirmed_it(office):
    request = registered(
        office,
        channel=Channel.ORDINARY_MAIL,
        arrived_on=date(2026, 3, 6),
        confirmed_on=date(2026, 3, 9),
        channel_note="平信，无回执",
    )
    assert request.received_on == date(2026, 3, 9)
    assert request.receipt_rule == (
        "平常信函：以与申请人确认之日为收到申请之日（条例第三十一条第二项）"
    )
    assert request.due_on == date(2026, 4, 7)  # 4, 5 and 6 April are Qingming
    assert request.created_by == office["officer"]
    assert Event.objects.filter(verb="disclosure.request.register").count() == 1


def test_an_organisation_applies_with_its_credit_code(office):
    request = registered(office, applicant=company(), delivery=DeliveryMethod.EMAIL)
    assert request.applicant_kind == ApplicantKind.BUSINESS
    assert request.credit_code.decrypt() == CREDIT_CODE
    assert str(request.phone) == "021****5678"


def test_tracking_numbers_are_gap_free_per_year_of_receipt(office):
    numbers = [
        registered(office, received_on=day).tracking_number
        for day in (date(2025, 12, 30), date(2026, 1, 5), date(2026, 1, 6))
    ]
    assert numbers == ["示民依申〔2025〕1号", "示民依申〔2026〕1号", "示民依申〔2026〕2号"]


def test_the_eleventh_request_of_a_month_is_flagged_under_article_35(office):
    for day in range(2, 12):
        request = registered(office, received_on=date(2026, 3, day))
        assert not request.excessive
    # Another applicant in the same month is counted apart
    other = registered(
        office, received_on=date(2026, 3, 12), applicant=person(id_number=OTHER_RESIDENT_ID)
    )
    assert other.month_ordinal == 1
    eleventh = registered(office, received_on=date(2026, 3, 12))
    assert eleventh.month_ordinal == 11
    assert eleventh.excessive
    # And the next month starts again
    assert registered(office, received_on=date(2026, 4, 1)).month_ordinal == 1


def test_the_status_check_needs_the_tracking_number_and_the_phone(office):
    request = submitted(office)
    found = selectors.request_by_tracking(request.tracking_number, "+8613812345678")
    assert found == request
    assert selectors.request_by_tracking(request.tracking_number, "13900000000") is None
    assert selectors.request_by_tracking("示民依申〔2026〕99号", PHONE) is None
    assert selectors.request_by_tracking("", PHONE) is None


def test_staff_of_another_agency_or_a_clerk_may_not_register(office):
    for actor in (office["other_officer"], office["clerk"], office["leader"]):
        with pytest.raises(NotAllowed):
            registered(office, actor=actor)
    assert DisclosureRequest.objects.count() == 0


BAD_INPUT = [
    (
        {"applicant": person(id_number="110105194912310021")},
        "resident_id_check_digit",
        "公民身份号码的校验码（最后一位）不符，请逐位核对号码。",
    ),
    (
        {"applicant": company(id_number="91350100M000100Y44")},
        "credit_code_check_char",
        "统一社会信用代码的校验码（最后一位）不符，请逐位核对代码。",
    ),
    (
        {"applicant": company(id_document=IdDocument.RESIDENT_ID, id_number=RESIDENT_ID)},
        "id_document_invalid",
        "法人或其他组织请填写统一社会信用代码。",
    ),
    ({"applicant": company(contact_person="")}, "contact_person_required", "请填写联系人。"),
    ({"applicant": person(phone="")}, "phone_required", "请填写联系电话。"),
    ({"applicant": person(name="  ")}, "applicant_name_required", "请填写申请人姓名。"),
    ({"applicant": person(kind="alien")}, "applicant_kind_invalid", "请选择申请人类型。"),
    (
        {"applicant": person(email="not-an-address")},
        "email_format",
        "电子邮箱格式不正确，如 name@example.com。",
    ),
    ({"applicant": person(postal_code="2000")}, "postal_code_format", "邮政编码应为 6 位数字。"),
    (
        {"applicant": person(id_document=IdDocument.OTHER, id_number="E12345678")},
        "other_id_type_required",
        "请填写证件名称。",
    ),
    (
        {"description": "政" * 100_000},
        "description_too_long",
        "所需信息的内容描述不能超过 5000 字，您填写了 100000 字。",
    ),
    ({"description": ""}, "description_required", "请填写所需信息的内容描述。"),
    ({"delivery": DeliveryMethod.EMAIL}, "email_required", "选择电子邮件获取的，请填写电子邮箱。"),
    (
        {"delivery": DeliveryMethod.POST, "applicant": person(address="")},
        "address_required",
        "选择邮寄获取的，请填写通信地址。",
    ),
    ({"info_form": "scroll"}, "info_form_invalid", "请选择信息的提供形式。"),
    (
        {"arrived_on": date(1900, 3, 1)},
        "date_too_early",
        "收到申请日期不能早于现行条例施行日期（2019年5月15日）。",
    ),
    (
        {"arrived_on": timezone.localdate() + timedelta(days=1)},
        "date_in_future",
        "提交或送达日期不能晚于今天。",
    ),
    (
        {"channel": Channel.ONLINE},
        "channel_invalid",
        "请选择来件方式：信函、当面、口头、电子邮件或传真。",
    ),
    (
        {"channel": Channel.FAX},
        "confirmed_on_required",
        "以平常信函、电子邮件或传真提交的申请，请填写与申请人确认的日期。",
    ),
]


@pytest.mark.parametrize(("changes", "code", "message"), BAD_INPUT)
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_saved(
    office, changes, code, message
):
    with pytest.raises(InvalidInput) as refused:
        registered(office, **changes)
    assert refused.value.status == 422
    assert refused.value.code == code
    assert str(refused.value.message) == message
    assert DisclosureRequest.objects.count() == 0
    assert not Event.objects.filter(verb__startswith="disclosure.").exists()


def test_a_stale_form_token_is_refused(office):
    with pytest.raises(InvalidInput) as refused:
        submitted(office, idempotency_key="short")
    assert refused.value.code == "bad_token"
