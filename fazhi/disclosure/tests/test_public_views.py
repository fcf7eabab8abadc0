"""The portal's disclosure pages: applying by kind, refusals, the receipt and the status check."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from fazhi.core.errors import InvalidInput
from fazhi.disclosure import selectors, services
from fazhi.disclosure.forms.public import ApplicationForm
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.tests.conftest import CREDIT_CODE, PHONE, RESIDENT_ID, registered, submitted
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

APPLY = reverse("disclosure_public:apply")
STATUS = reverse("disclosure_public:status")


def person_post(office, **changes) -> dict:
    values = {
        "agency": office["agency"].pk,
        "name": "张三",
        "id_document": "resident_id",
        "id_number": RESIDENT_ID,
        "phone": PHONE,
        "address": "示例区人民路1号",
        "postal_code": "200000",
        "description": "2025年度本区最低生活保障资金的发放汇总情况。",
        "info_form": "electronic",
        "delivery": "post",
        "token": uuid.uuid4().hex,
    }
    values.update(changes)
    return values


def organisation_post(office, **changes) -> dict:
    values = {
        "agency": office["agency"].pk,
        "applicant_kind": "research",
        "name": "示例城市研究院",
        "contact_person": "李四",
        "id_number": CREDIT_CODE,
        "phone": "021-12345678",
        "email": "office@example.com",
        "description": "本局2025年度养老服务补贴的发放标准。",
        "info_form": "electronic",
        "delivery": "email",
        "token": uuid.uuid4().hex,
    }
    values.update(changes)
    return values


def without_csrf(content: bytes) -> str:
    # The CSRF token (form field and htmx header) is masked afresh on every render; everything
    # else must match.
    return re.sub(r"[A-Za-z0-9]{64}", "", content.decode())


def cn_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- Applying --------------------------------------------------------------------------------


def test_the_form_shows_the_fields_of_the_applicants_kind(client, office):
    person = client.get(APPLY)
    organisation = client.get(APPLY + "?as=organisation")
    assert person.status_code == 200 and organisation.status_code == 200
    assert set(person.context["form"].fields) - set(organisation.context["form"].fields) == {
        "id_document",
        "other_id_type",
    }
    assert set(organisation.context["form"].fields) - set(person.context["form"].fields) == {
        "applicant_kind",
        "contact_person",
    }
    assert organisation.context["form"]["id_number"].label == "统一社会信用代码"
    assert organisation.context["form"]["name"].label == "法人或其他组织名称"


def test_a_natural_person_applies_and_sees_the_receipt(client, office):
    # When a citizen submits the form as a natural person
    response = client.post(APPLY, person_post(office))
    # Then one request is received today and the browser goes to its receipt
    request = DisclosureRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosure_public:receipt", args=[request.pk])
    assert request.applicant_kind == "natural_person"
    assert request.channel == "online"
    assert request.resident_id.decrypt() == RESIDENT_ID
    assert request.received_on == timezone.localdate()
    # And the receipt shows the tracking number, the due date and its explanation, masked numbers
    receipt = client.get(response["Location"])
    text = receipt.content.decode()
    assert receipt.status_code == 200
    assert request.tracking_number == f"示民依申〔{timezone.localdate().year}〕1号"
    assert request.tracking_number in text
    assert selectors.due_explained(request).explanation in text
    assert "110***********002X" in text and "138****5678" in text
    assert RESIDENT_ID not in text and PHONE not in text


def test_an_organisation_applies_with_its_credit_code(client, office):
    response = client.post(APPLY + "?as=organisation", organisation_post(office))
    request = DisclosureRequest.objects.get()
    assert response.status_code == 302
    assert request.applicant_kind == "research"
    assert request.id_document == "credit_code"
    assert request.credit_code.decrypt() == CREDIT_CODE
    assert request.contact_person == "李四"
    assert request.resident_id == ""
    receipt = client.get(response["Location"]).content.decode()
    assert "9135**********0Y43" in receipt and CREDIT_CODE not in receipt


def test_a_person_may_prove_identity_with_another_document(client, office):
    data = person_post(
        office, id_document="other", other_id_type="护照", id_number="E12345678", delivery="online"
    )
    assert client.post(APPLY, data).status_code == 302
    request = DisclosureRequest.objects.get()
    assert request.other_id_type == "护照"
    assert request.other_id.decrypt() == "E12345678"


@pytest.mark.parametrize(
    ("url", "changes", "field", "message"),
    [
        (
            APPLY,
            {"id_number": "110105194912310021"},
            "id_number",
            None,  # the validator's own text, checked against the service below
        ),
        (APPLY, {"name": ""}, "name", "请填写申请人姓名。"),
        (APPLY, {"phone": "12"}, "phone", None),
        (APPLY, {"id_document": ""}, "id_document", "自然人请选择居民身份证或其他身份证件。"),
        (APPLY, {"address": ""}, "address", "选择邮寄获取的，请填写通信地址。"),
        (APPLY, {"postal_code": "2000"}, "postal_code", "邮政编码应为 6 位数字。"),
        (APPLY, {"description": " "}, "description", "请填写所需信息的内容描述。"),
        (APPLY, {"info_form": ""}, "info_form", "请选择信息的提供形式。"),
        (
            APPLY + "?as=organisation",
            {"contact_person": ""},
            "contact_person",
            "请填写联系人。",
        ),
        (
            APPLY + "?as=organisation",
            {"applicant_kind": ""},
            "applicant_kind",
            "请选择申请人类型。",
        ),
        (
            APPLY + "?as=organisation",
            {"id_number": RESIDENT_ID},
            "id_number",
            None,
        ),
    ],
)
def test_refused_input_shows_the_services_message_on_its_field(
    client, office, url, changes, field, message
):
    base = organisation_post if "organisation" in url else person_post
    data = base(office, **changes)
    response = client.post(url, data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message is None:
        # The same words the service gives when called directly.
        kind = "organisation" if "organisation" in url else "person"
        form = ApplicationForm(data, applicant=kind)
        assert form.is_valid()
        with pytest.raises(InvalidInput) as refused:
            services.request_submit(
                agency=office["agency"],
                applicant=form.applicant_data(),
                description=data["description"],
                info_form=data["info_form"],
                delivery=data["delivery"],
                idempotency_key=uuid.uuid4().hex,
            )
        message = str(refused.value.message)
    assert errors[field] == [message]
    assert message in response.content.decode()
    assert DisclosureRequest.objects.count() == 0


def test_a_stale_form_asks_for_a_reload(client, office):
    response = client.post(APPLY, person_post(office, token="not-a-token"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"token": ["表单已失效，请刷新页面后重新提交。"]}
    assert "表单已失效，请刷新页面后重新提交。" in response.content.decode()
    assert DisclosureRequest.objects.count() == 0


def test_a_double_submission_shows_the_same_receipt(client, office):
    data = person_post(office)
    first = client.post(APPLY, data)
    again = client.post(APPLY, {**data, "description": "重复点击提交"})
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert DisclosureRequest.objects.count() == 1
    assert client.get(again["Location"]).status_code == 200


def test_a_receipt_is_only_shown_to_the_browser_that_applied(client, office):
    response = client.post(APPLY, person_post(office))
    client.cookies.clear()
    assert client.get(response["Location"]).status_code == 302
    assert client.get(response["Location"])["Location"] == APPLY


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 2})
def test_too_many_submissions_are_refused_with_429(client, office):
    for _ in range(2):
        assert client.post(APPLY, person_post(office)).status_code == 302
    response = client.post(APPLY, person_post(office))
    assert response.status_code == 429
    assert "提交过于频繁，请稍后再试。" in response.content.decode()
    assert DisclosureRequest.objects.count() == 2


# --- The status check ------------------------------------------------------------------------


def test_the_applicant_checks_the_status_with_number_and_phone(client, office):
    request = submitted(office)
    response = client.post(STATUS, {"tracking_number": request.tracking_number, "phone": PHONE})
    text = response.content.decode()
    due = selectors.due_explained(request)
    assert response.status_code == 200
    assert response.context["found"] == request
    assert '<dd class="col-sm-9" id="request-state">办理中</dd>' in text
    assert f'<dd class="col-sm-9" id="received-on">{cn_day(request.received_on)}</dd>' in text
    assert f'<dd class="col-sm-9" id="due-on">{cn_day(due.due_on)}</dd>' in text
    assert due.explanation in text
    assert PHONE not in text


def test_a_replied_request_shows_its_outcome(client, office):
    request = registered(office)
    services.reply(
        actor=office["officer"],
        request=request,
        outcome=Outcome.DISCLOSED,
        text="现向您提供所申请的信息。",
        replied_on=date(2026, 3, 20),
    )
    response = client.post(STATUS, {"tracking_number": request.tracking_number, "phone": PHONE})
    text = response.content.decode()
    assert response.status_code == 200
    assert '<dd class="col-sm-9" id="request-state">已答复</dd>' in text
    assert '<dd class="col-sm-9" id="outcome">（一）予以公开</dd>' in text
    assert '<dd class="col-sm-9" id="concluded-on">2026年3月20日</dd>' in text


def test_unknown_number_and_wrong_phone_get_the_same_answer(client, office):
    request = submitted(office)
    unknown = client.post(STATUS, {"tracking_number": "示民依申〔2026〕999号", "phone": PHONE})
    wrong_phone = client.post(
        STATUS, {"tracking_number": request.tracking_number, "phone": "13900000000"}
    )
    assert unknown.status_code == wrong_phone.status_code == 404
    assert "未找到与该申请编号和联系电话相符的申请，请核对后重试。" in unknown.content.decode()
    assert without_csrf(unknown.content) == without_csrf(wrong_phone.content)
    assert request.tracking_number not in wrong_phone.content.decode()


def test_an_empty_status_form_asks_for_both(client, office):
    response = client.post(STATUS, {"tracking_number": "", "phone": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "tracking_number": ["请填写申请编号。"],
        "phone": ["请填写申请时留下的联系电话。"],
    }


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 3})
def test_status_checks_are_rate_limited(client, office):
    for _ in range(3):
        client.post(STATUS, {"tracking_number": "示民依申〔2026〕1号", "phone": "13900000000"})
    response = client.post(STATUS, {"tracking_number": "示民依申〔2026〕1号", "phone": PHONE})
    assert response.status_code == 429
    assert "查询过于频繁，请稍后再试。" in response.content.decode()


def test_the_status_page_costs_the_same_queries_however_many_requests_exist(client, office):
    first = submitted(office)

    def fetch():
        response = client.post(STATUS, {"tracking_number": first.tracking_number, "phone": PHONE})
        assert response.status_code == 200

    def grow(n):
        for _ in range(n):
            submitted(office)

    assert_constant_queries(fetch, grow, extra_rows=5)
