"""Intake: the portal's form and staff registration (OGI Art. 29–31)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings, numbering, ratelimit
from fazhi.core.calendar import format_day
from fazhi.core.errors import InvalidInput
from fazhi.core.identity import validators
from fazhi.core.identity.selectors import filter_by_identifier
from fazhi.disclosure import clock
from fazhi.disclosure.choices import (
    ORGANISATION_KINDS,
    SELF_SERVICE_CHANNELS,
    ApplicantKind,
    Channel,
    DeliveryMethod,
    IdDocument,
    InfoForm,
)
from fazhi.disclosure.models import (
    HANDLE,
    DisclosureRequest,
)
from fazhi.disclosure.services._common import (
    EARLIEST_RECEIPT,
    MAX_DESCRIPTION,
    PUBLIC,
    SERIES,
    TooManyRequests,
    _choice,
    _day,
    _event,
    _not_before,
    _refresh_due,
    _require,
    _tell_office,
    _text,
)

# --- Intake -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """Who applies (OGI Art. 29 (一)): name, identity proof and contact."""

    kind: str
    name: str
    id_document: str
    id_number: str
    phone: str
    other_id_type: str = ""
    contact_person: str = ""
    email: str = ""
    address: str = ""
    postal_code: str = ""


def _clean_applicant(applicant: Applicant) -> dict:
    kind = _choice(applicant.kind, ApplicantKind, _("申请人类型"), "applicant_kind_invalid")
    organisation = kind in ORGANISATION_KINDS
    fields = {
        "applicant_kind": kind,
        "applicant_name": _text(
            applicant.name,
            _("法人或其他组织名称") if organisation else _("申请人姓名"),
            limit=100,
            code="applicant_name",
        ),
        "contact_person": _text(
            applicant.contact_person,
            _("联系人"),
            limit=50,
            code="contact_person",
            required=organisation,
        ),
        "phone": validators.validate_phone(applicant.phone),
        "other_id_type": "",
        "resident_id": "",
        "other_id": "",
        "credit_code": "",
    }
    document = applicant.id_document
    if organisation:
        if document != IdDocument.CREDIT_CODE:
            raise InvalidInput(
                _("法人或其他组织请填写统一社会信用代码。"), code="id_document_invalid"
            )
        fields["credit_code"] = validators.validate_credit_code(applicant.id_number)
    elif document == IdDocument.RESIDENT_ID:
        fields["resident_id"] = validators.validate_resident_id(applicant.id_number)
    elif document == IdDocument.OTHER:
        fields["other_id_type"] = _text(
            applicant.other_id_type, _("证件名称"), limit=30, code="other_id_type"
        )
        fields["other_id"] = validators.validate_other_id(applicant.id_number)
    else:
        raise InvalidInput(_("自然人请选择居民身份证或其他身份证件。"), code="id_document_invalid")
    fields["id_document"] = document
    email = (applicant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                _("电子邮箱格式不正确，如 name@example.com。"), code="email_format"
            ) from None
    fields["email"] = email
    fields["address"] = _text(
        applicant.address, _("通信地址"), limit=200, code="address", required=False
    )
    postal = (applicant.postal_code or "").strip()
    if postal and not (len(postal) == 6 and postal.isascii() and postal.isdigit()):
        raise InvalidInput(_("邮政编码应为 6 位数字。"), code="postal_code_format")
    fields["postal_code"] = postal
    return fields


def _clean_application(fields: dict, *, description, info_reference, info_form, delivery) -> dict:
    fields = dict(fields)
    fields["description"] = _text(
        description, _("所需信息的内容描述"), limit=MAX_DESCRIPTION, code="description"
    )
    fields["info_reference"] = _text(
        info_reference, _("文件名称、文号等特征"), limit=200, code="info_reference", required=False
    )
    fields["info_form"] = _choice(info_form, InfoForm, _("信息的提供形式"), "info_form_invalid")
    fields["delivery"] = _choice(delivery, DeliveryMethod, _("获取信息的方式"), "delivery_invalid")
    if fields["delivery"] == DeliveryMethod.EMAIL and not fields["email"]:
        raise InvalidInput(_("选择电子邮件获取的，请填写电子邮箱。"), code="email_required")
    if fields["delivery"] == DeliveryMethod.POST and not fields["address"]:
        raise InvalidInput(_("选择邮寄获取的，请填写通信地址。"), code="address_required")
    return fields


def _identity_filter(fields: dict):
    """The queryset condition "same applicant" for the per-month count (fee, Art. 35)."""
    for field in ("resident_id", "credit_code", "other_id"):
        if fields[field]:
            return field, fields[field]
    raise AssertionError("an applicant always has one identity number")


def _tracking_number(agency, year: int, actor=None) -> str:
    """The next number of the agency's series for the year, e.g. 示民依申〔2026〕15号.

    Drawn under the series' row lock in the caller's transaction, so numbers are gap-free and
    never shared; an application from the portal has no staff user, so the event names the
    applicant's channel instead.
    """
    issued = numbering.number_allocate(
        actor=actor,
        actor_name="" if actor else str(_("申请人")),
        agency=agency,
        key=SERIES,
        year=year,
    )
    return issued.text


def _create(
    *,
    agency,
    fields: dict,
    channel: str,
    arrived_on: date,
    confirmed_on: date | None,
    channel_note: str = "",
    idempotency_key: str | None = None,
    actor=None,
    http_request=None,
) -> DisclosureRequest:
    receipt = clock.date_of_receipt(channel, arrived_on, confirmed_on)
    today = timezone.localdate()
    _not_before(receipt.received_on, EARLIEST_RECEIPT, _("收到申请日期"), _("现行条例施行日期"))
    if receipt.received_on > today:
        raise InvalidInput(_("收到申请日期不能晚于今天。"), code="date_in_future")
    free_items = int(agency_settings.get(agency, "disclosure.free_items_per_month"))
    with transaction.atomic():
        # The series lock serialises every intake of the agency in the year, so the count of
        # this applicant's requests in the month below cannot race another intake.
        tracking = _tracking_number(agency, receipt.received_on.year, actor)
        month_start = receipt.received_on.replace(day=1)
        field, number = _identity_filter(fields)
        earlier = filter_by_identifier(
            DisclosureRequest.objects.filter(
                agency=agency, received_on__gte=month_start, received_on__lte=receipt.received_on
            ),
            field,
            number,
        ).count()
        request = DisclosureRequest(
            agency=agency,
            tracking_number=tracking,
            channel=channel,
            arrived_on=arrived_on,
            confirmed_on=confirmed_on,
            received_on=receipt.received_on,
            receipt_rule=str(receipt.rule)[:200],
            channel_note=channel_note,
            idempotency_key=idempotency_key,
            month_ordinal=earlier + 1,
            excessive=earlier + 1 > free_items,
            created_by=actor,
            **fields,
        )
        request.save()
        due = _refresh_due(request)
        _event(
            "request.register" if actor is not None else "request.submit",
            actor=actor,
            actor_name="" if actor is not None else PUBLIC,
            request=request,
            http_request=http_request,
            tracking_number=tracking,
            channel=channel,
            received_on=request.received_on.isoformat(),
            applicant_kind=request.applicant_kind,
            excessive=request.excessive,
            due_on=due.due_on.isoformat(),
        )
        _tell_office(
            request,
            kind="disclosure_received",
            title=_("新的政府信息公开申请 %(number)s") % {"number": tracking},
            body=_("答复期限 %(due)s。") % {"due": format_day(due.due_on)},
        )
    return request


def request_submit(
    *,
    agency,
    applicant: Applicant,
    description: str,
    info_form: str,
    delivery: str,
    idempotency_key: str,
    info_reference: str = "",
    channel: str = Channel.ONLINE,
    http_request=None,
) -> DisclosureRequest:
    """An application from the portal (or a platform through the API), received today.

    The same idempotency key returns the first request, never a copy. With `http_request` the
    public-form rate limit applies (per client address, settings.FAZHI_RATE_LIMITS).
    """
    existing = DisclosureRequest.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_agency(existing, agency)
    if http_request is not None and not ratelimit.hit(http_request, "public_form"):
        raise TooManyRequests()
    if not agency.is_active:
        raise InvalidInput(_("该机关暂不受理网上申请。"), code="agency_inactive")
    if channel not in SELF_SERVICE_CHANNELS:
        raise InvalidInput(_("请选择申请方式。"), code="channel_invalid")
    if not isinstance(idempotency_key, str) or not 16 <= len(idempotency_key) <= 64:
        raise InvalidInput(_("表单已失效，请刷新页面后重新提交。"), code="bad_token")
    fields = _clean_application(
        _clean_applicant(applicant),
        description=description,
        info_reference=info_reference,
        info_form=info_form,
        delivery=delivery,
    )
    today = timezone.localdate()
    try:
        with transaction.atomic():
            return _create(
                agency=agency,
                fields=fields,
                channel=channel,
                arrived_on=today,
                confirmed_on=today,
                idempotency_key=idempotency_key,
                http_request=http_request,
            )
    except IntegrityError:
        # Two submissions with one token at the same moment: the other one won.
        existing = DisclosureRequest.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_agency(existing, agency)


def _same_agency(request: DisclosureRequest, agency) -> DisclosureRequest:
    if request.agency_id != agency.pk:
        raise InvalidInput(_("表单已失效，请刷新页面后重新提交。"), code="bad_token")
    return request


def request_register(
    *,
    actor,
    agency,
    applicant: Applicant,
    description: str,
    info_form: str,
    delivery: str,
    channel: str,
    arrived_on: date,
    confirmed_on: date | None = None,
    info_reference: str = "",
    channel_note: str = "",
) -> DisclosureRequest:
    """Staff register an application that came by letter, in person, orally, by e-mail or fax;
    the date of receipt follows from the channel (Art. 31)."""
    _require(actor, HANDLE, DisclosureRequest(agency=agency))
    if channel not in Channel.values or channel in SELF_SERVICE_CHANNELS:
        raise InvalidInput(
            _("请选择来件方式：信函、当面、口头、电子邮件或传真。"), code="channel_invalid"
        )
    today = timezone.localdate()
    arrived_on = _day(arrived_on, _("提交或送达日期"), today=today, default_today=False)
    if confirmed_on is not None:
        confirmed_on = _day(confirmed_on, _("与申请人确认日期"), today=today)
    fields = _clean_application(
        _clean_applicant(applicant),
        description=description,
        info_reference=info_reference,
        info_form=info_form,
        delivery=delivery,
    )
    return _create(
        agency=agency,
        fields=fields,
        channel=channel,
        arrived_on=arrived_on,
        confirmed_on=confirmed_on,
        channel_note=_text(
            channel_note, _("来件说明"), limit=200, code="channel_note", required=False
        ),
        actor=actor,
    )
