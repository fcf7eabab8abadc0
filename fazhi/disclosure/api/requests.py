"""Disclosure requests (依申请公开) through the staff API, at /api/disclosure/requests/.

Every route calls the same service as the staff pages, with the same permission checks: a role
that does not work with requests gets 403, a request of another agency (or none) 404, a state
or record that does not allow the step 409, bad input 422 — in the error shape of fazhi.api.api
with a Chinese message and a stable code.

Each step of the procedure has its own route calling its service (补正, consultation,
extension, fee, reply, delivery), and there is deliberately no generic `/actions/{action}`
route: the request's transitions are guarded by the step records, and the only way to write a
record is its service, so no call can take a transition by name. `available_actions` in the
detail lists these routes, not the bare transitions (whose guards are false until the service
has written the record). Every action accepts `expected_state`: a state other than the one the
caller saw answers 409 `state_changed` instead of acting.

Identifiers (resident ID, credit code, other ID, phone) leave only as their masks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from fazhi.api.pagination import MAX_LIMIT, paginate
from fazhi.core import workflow
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Agency
from fazhi.core.tenancy import access, writable_agency_ids
from fazhi.disclosure import letters, selectors, services
from fazhi.disclosure.api.request_schemas import (
    AnswerIn,
    ConfirmIn,
    ConsultationIn,
    DeliveryIn,
    ExtensionIn,
    FeeNoticeIn,
    FeePaidIn,
    ListQuery,
    PartIn,
    RegisterIn,
    ReplyIn,
    RequestOut,
    RequestPage,
    StateIn,
    SupplementReceivedIn,
    SupplementRequestIn,
)
from fazhi.disclosure.choices import ApplicantKind
from fazhi.disclosure.models import (
    DeliveryRecord,
    DisclosureRequest,
    ThirdPartyConsultation,
)
from fazhi.disclosure.outcomes import Outcome, describe
from fazhi.disclosure.services._common import EARLIEST_RECEIPT
from fazhi.disclosure.steps import available_steps

router = Router(tags=["disclosure: requests"])

State = DisclosureRequest.State
_ID = re.compile(r"[0-9]{1,18}")
# A partial disclosure lists its parts one by one; more than this is not a reply but a table.
MAX_PARTS = 100
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# --- Helpers ----------------------------------------------------------------------------------


def _may_work_with_requests(user) -> None:
    """The page-level check of the staff pages: roles without disclosure work get 403."""
    if not user.has_perm("disclosure.view_list"):
        raise PermissionDenied


def _id(text: str) -> int | None:
    """An id from the path or the body; None for anything that is not one (a Unicode digit
    such as "³", or a number too large for the database's integers)."""
    return int(text) if _ID.fullmatch(text or "") else None


def _read(request, record_id: str) -> DisclosureRequest:
    _may_work_with_requests(request.user)
    record = access(request.user, selectors.requests_for(request.user), _id(record_id))
    if not request.user.has_perm("disclosure.view_request", record):
        raise PermissionDenied
    return record


@contextmanager
def _acting_on(request, record_id: str, expected_state: str | None = None) -> Iterator:
    """The request locked for the length of the action and checked against the state the
    caller saw; the service locks the same row again in the same transaction."""
    _may_work_with_requests(request.user)
    with transaction.atomic():
        record = access(
            request.user,
            selectors.requests_for(request.user).select_for_update(of=("self",)),
            _id(record_id),
            write=True,
        )
        if expected_state is not None and record.state != expected_state:
            raise Conflict(
                _("申请当前为“%(state)s”，已被他人处理，请刷新后重试。")
                % {"state": record.get_state_display()},
                code="state_changed",
            )
        yield record


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInput(
            _("每页条数须在 1 至 %(max)d 之间。") % {"max": MAX_LIMIT}, code="bad_limit"
        )
    return int(text)


def _one(record, name):
    try:
        return getattr(record, name)
    except ObjectDoesNotExist:
        return None


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _overdue(record, today: dt.date) -> bool:
    return bool(
        record.state in DisclosureRequest.OPEN_STATES and record.due_on and record.due_on < today
    )


# The API's action names are the page's step keys with hyphens, except where it said otherwise
# first (kept for clients already integrated).
API_NAMES = {"delivery": "delivery-record"}


def _actions(record: DisclosureRequest, user, today: dt.date) -> list[dict]:
    """The routes this user may call now: the steps the page offers (`disclosure.steps`), each
    with its route under this collection (a listed action may still be refused for its input)."""
    return [
        {
            "name": API_NAMES.get(step.key, step.key.replace("_", "-")),
            "label": step.label,
            "method": step.method,
            "path": f"{record.pk}/{step.path}",
        }
        for step in available_steps(record, user, today)
        if step.path
    ]


def _due(record) -> dict:
    due = selectors.due_explained(record)
    lines = [line for line in due.explanation.rstrip("。").split("；") if line]
    return {
        "due_on": due.due_on,
        "start_on": due.start_on,
        "paused_workdays": due.paused_workdays,
        "projected": due.projected,
        "provisional": due.provisional,
        "explanation": due.explanation,
        "lines": lines,
    }


def _masked_id(record) -> str:
    number = record.resident_id or record.credit_code or record.other_id
    return number.masked if number else ""


def _detail_queryset(user):
    return (
        selectors.requests_for(user)
        .select_related(
            "agency",
            "handler",
            "supplement_request",
            "extension__approved_by",
            "fee",
            "reply_record__replied_by",
        )
        .prefetch_related("consultations", "deliveries", "reply_record__parts")
    )


def _detail(record: DisclosureRequest, user) -> dict:
    today = timezone.localdate()
    supplement_request = _one(record, "supplement_request")
    extension = _one(record, "extension")
    fee = _one(record, "fee")
    reply = _one(record, "reply_record")
    return {
        "id": str(record.pk),
        "tracking_number": record.tracking_number,
        "agency": record.agency.name,
        "state": record.state,
        "state_label": str(record.get_state_display()),
        "due_on": record.due_on,
        "overdue": _overdue(record, today),
        "due": _due(record),
        "receipt": {
            "channel": record.channel,
            "channel_label": str(record.get_channel_display()),
            "arrived_on": record.arrived_on,
            "confirmed_on": record.confirmed_on,
            "received_on": record.received_on,
            "rule": record.receipt_rule,
            "note": record.channel_note,
        },
        "applicant": {
            "kind": record.applicant_kind,
            "kind_label": str(record.get_applicant_kind_display()),
            "name": record.applicant_name,
            "contact_person": record.contact_person,
            "id_document": record.id_document,
            "id_document_label": str(record.get_id_document_display()),
            "other_id_type": record.other_id_type,
            "id_number_masked": _masked_id(record),
            "phone_masked": record.phone.masked if record.phone else "",
            "email": record.email,
            "address": record.address,
            "postal_code": record.postal_code,
        },
        "description": record.description,
        "info_reference": record.info_reference,
        "info_form": record.info_form,
        "info_form_label": str(record.get_info_form_display()),
        "delivery": record.delivery,
        "delivery_label": str(record.get_delivery_display()),
        "month_ordinal": record.month_ordinal,
        "excessive": record.excessive,
        "outcome": record.outcome,
        "outcome_label": _label(Outcome.choices, record.outcome),
        "outcome_summary": describe(record.outcome),
        "concluded_on": record.concluded_on,
        "handler": str(record.handler) if record.handler_id else "",
        "supplement_request": {
            "notice_on": supplement_request.notice_on,
            "items": supplement_request.items,
            "period_workdays": supplement_request.period_workdays,
            "supplement_due_on": supplement_request.supplement_due_on,
            "supplemented_on": supplement_request.supplemented_on,
            "supplement": supplement_request.supplement,
            "late_reason": supplement_request.late_reason,
            "lapsed_on": supplement_request.lapsed_on,
        }
        if supplement_request is not None
        else None,
        "consultations": [
            {
                "id": str(c.pk),
                "kind": c.kind,
                "kind_label": str(c.get_kind_display()),
                "party": c.party,
                "subject": c.subject,
                "sent_on": c.sent_on,
                "due_on": c.due_on,
                "answered_on": c.answered_on,
                "answer": c.answer,
                "answer_label": str(c.get_answer_display()) if c.answer else "",
                "answer_text": c.answer_text,
            }
            for c in record.consultations.all()
        ],
        "extension": {
            "days": extension.days,
            "reason": extension.reason,
            "approved_by": str(extension.approved_by),
            "approved_on": extension.approved_on,
            "notified_on": extension.notified_on,
            "due_before": extension.due_before,
            "due_after": extension.due_after,
        }
        if extension is not None
        else None,
        "fee": {
            "basis": fee.basis,
            "basis_label": str(fee.get_basis_display()),
            "quantity": fee.quantity,
            "amount": str(fee.amount),
            "notice_on": fee.notice_on,
            "payment_due_on": fee.payment_due_on,
            "paid_on": fee.paid_on,
            "receipt_number": fee.receipt_number,
            "lapsed_on": fee.lapsed_on,
        }
        if fee is not None
        else None,
        "reply": {
            "text": reply.text,
            "referral": reply.referral,
            "replied_on": reply.replied_on,
            "replied_by": str(reply.replied_by),
            "parts": [
                {
                    "number": p.number,
                    "description": p.description,
                    "disclosed": p.disclosed,
                    "reason": p.reason,
                    "reason_label": _label(Outcome.choices, p.reason),
                    "explanation": p.explanation,
                }
                for p in reply.parts.all()
            ],
        }
        if reply is not None
        else None,
        "deliveries": [
            {
                "id": str(d.pk),
                "document": d.document,
                "document_label": str(d.get_document_display()),
                "method": d.method,
                "method_label": str(d.get_method_display()),
                "sent_on": d.sent_on,
                "delivered_on": d.delivered_on,
                "reference": d.reference,
                "note": d.note,
            }
            for d in record.deliveries.all()
        ],
        "available_actions": _actions(record, user, today),
        "timeline": [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor_name,
                "verb": e.verb,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": str(e.data.get("comment", "")),
            }
            for e in workflow.timeline(record)
        ],
    }


def _out(request, record_id: int) -> dict:
    """The request as it is after the action (read again after the action's transaction)."""
    record = _detail_queryset(request.user).get(pk=record_id)
    return _detail(record, request.user)


def _handling_agency(user, agency_id: str) -> Agency:
    """The agency a staff entry is for: the one named, or the user's only one."""
    writable = writable_agency_ids(user)
    if agency_id:
        agency = Agency.objects.filter(pk=_id(agency_id), pk__in=writable).first()
        if agency is None:
            raise InvalidInput(
                _("受理机关不存在或不属于您的机关。"), code="agency_invalid", fields=["agency"]
            )
        return agency
    if len(writable) != 1:
        raise InvalidInput(_("请填写受理机关。"), code="agency_required", fields=["agency"])
    return Agency.objects.get(pk=next(iter(writable)))


def _parts(parts: list[PartIn]) -> list[services.Part]:
    if len(parts) > MAX_PARTS:
        raise InvalidInput(
            _("部分公开的内容最多列 %(n)d 项。") % {"n": MAX_PARTS}, code="parts_too_many"
        )
    return [
        services.Part(
            description=p.description,
            disclosed=p.disclosed,
            reason=p.reason,
            explanation=p.explanation,
        )
        for p in parts
    ]


# --- The collection ---------------------------------------------------------------------------


def _filtered(user, query: ListQuery):
    requests = selectors.requests_for(user)
    state = query.state.strip()
    if state:
        if state not in State.values:
            raise InvalidInput(_("状态不存在。"), code="bad_state", fields=["state"])
        requests = requests.filter(state=state)
    year = query.year.strip()
    if year:
        earliest = EARLIEST_RECEIPT.year
        if not re.fullmatch(r"[0-9]{4}", year) or not earliest <= int(year) <= 2100:
            raise InvalidInput(
                _("年份须在 %(first)d 至 2100 之间（现行条例自 2019 年 5 月 15 日起施行）。")
                % {"first": earliest},
                code="bad_year",
                fields=["year"],
            )
        requests = requests.filter(
            received_on__gte=dt.date(int(year), 1, 1), received_on__lte=dt.date(int(year), 12, 31)
        )
    kind = query.applicant_kind.strip()
    if kind:
        if kind not in ApplicantKind.values:
            raise InvalidInput(
                _("申请人类型不存在。"), code="bad_applicant_kind", fields=["applicant_kind"]
            )
        requests = requests.filter(applicant_kind=kind)
    outcome = query.outcome.strip()
    if outcome:
        if outcome not in Outcome.values:
            raise InvalidInput(_("办理结果不存在。"), code="bad_outcome", fields=["outcome"])
        requests = requests.filter(outcome=outcome)
    overdue = query.overdue.strip()
    if overdue:
        if overdue not in ("true", "false"):
            raise InvalidInput(
                _("overdue 须为 true 或 false。"), code="bad_filter", fields=["overdue"]
            )
        late = requests.filter(
            state__in=DisclosureRequest.OPEN_STATES, due_on__lt=timezone.localdate()
        )
        requests = late if overdue == "true" else requests.exclude(pk__in=late.values("pk"))
    return requests


@router.get("/", response=RequestPage, url_name="disclosure_requests_list")
def request_list(request, filters: Query[ListQuery]):
    """The worklist: requests of the caller's agencies, newest first, with their due dates."""
    _may_work_with_requests(request.user)
    page = paginate(
        _filtered(request.user, filters).only(
            "pk",
            "agency_id",
            "tracking_number",
            "state",
            "applicant_kind",
            "applicant_name",
            "channel",
            "received_on",
            "due_on",
            "due_provisional",
            "excessive",
            "outcome",
            "concluded_on",
        ),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    today = timezone.localdate()
    items = [
        {
            "id": str(r.pk),
            "tracking_number": r.tracking_number,
            "state": r.state,
            "state_label": str(r.get_state_display()),
            "applicant_kind": r.applicant_kind,
            "applicant_kind_label": str(r.get_applicant_kind_display()),
            "applicant_name": r.applicant_name,
            "channel": r.channel,
            "received_on": r.received_on,
            "due_on": r.due_on,
            "due_provisional": r.due_provisional,
            "overdue": _overdue(r, today),
            "excessive": r.excessive,
            "outcome": r.outcome,
            "outcome_label": _label(Outcome.choices, r.outcome),
            "concluded_on": r.concluded_on,
        }
        for r in page["items"]
    ]
    return {"items": items, "next_cursor": page["next_cursor"]}


@router.post("/", response={201: RequestOut}, url_name="disclosure_requests_register")
def request_register(request, body: RegisterIn):
    """Register an application that came by letter, in person, orally, by e-mail or fax; the
    date of receipt follows from the channel (OGI Art. 31)."""
    _may_work_with_requests(request.user)
    agency = _handling_agency(request.user, body.agency)
    created = services.request_register(
        actor=request.user,
        agency=agency,
        applicant=body.applicant.applicant(),
        description=body.description,
        info_reference=body.info_reference,
        info_form=body.info_form,
        delivery=body.delivery,
        channel=body.channel,
        arrived_on=body.arrived_on,
        confirmed_on=body.confirmed_on,
        channel_note=body.channel_note,
    )
    return Status(201, _out(request, created.pk))


@router.get("/{record_id}", response=RequestOut, url_name="disclosure_requests_detail")
def request_detail(request, record_id: str):
    """The request with masked identifiers, its due date explained, every step record, the
    actions the caller may take now and its timeline."""
    _read(request, record_id)
    return _out(request, _id(record_id))


@router.get("/{record_id}/letter", url_name="disclosure_requests_letter")
def reply_letter(request, record_id: str):
    """The reply letter (答复告知书) as DOCX, once the request is concluded (else 409)."""
    record = _read(request, record_id)
    response = HttpResponse(letters.render_reply_letter(record), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="disclosure-reply-{record.pk}.docx"'
    return response


# --- 补正 -------------------------------------------------------------------------------------

ACTIONS = "/{record_id}/actions"


@router.post(
    f"{ACTIONS}/supplement-request", response=RequestOut, url_name="disclosure_supplement_request"
)
def supplement_request(request, record_id: str, body: SupplementRequestIn):
    """The one 补正 notice, within 7 working days of receipt (Art. 30); the clock stops."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.supplement_request_request(
            actor=request.user,
            request=record,
            items=body.items,
            notice_on=body.notice_on,
            period_workdays=body.period_workdays,
        )
    return _out(request, record.pk)


@router.post(
    f"{ACTIONS}/supplement-received",
    response=RequestOut,
    url_name="disclosure_supplement_received",
)
def supplement_received(request, record_id: str, body: SupplementReceivedIn):
    """The supplement arrived: the reply clock runs again from its receipt."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.supplement_request_received(
            actor=request.user,
            request=record,
            supplement=body.supplement,
            supplemented_on=body.supplemented_on,
            late_reason=body.late_reason,
        )
    return _out(request, record.pk)


@router.post(
    f"{ACTIONS}/supplement-lapse", response=RequestOut, url_name="disclosure_supplement_lapse"
)
def supplement_lapse(request, record_id: str, body: StateIn):
    """No supplement within the period: closed as 其他处理 1 (the sweep does it too)."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.supplement_request_lapse(actor=request.user, request=record)
    return _out(request, record.pk)


# --- Consultation -----------------------------------------------------------------------------


@router.post(
    "/{record_id}/consultations",
    response={201: RequestOut},
    url_name="disclosure_consultation_open",
)
def consultation_open(request, record_id: str, body: ConsultationIn):
    """Ask a third party, co-producer or other agency in writing; the clock pauses."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.consultation_open(
            actor=request.user,
            request=record,
            kind=body.kind,
            party=body.party,
            subject=body.subject,
            sent_on=body.sent_on,
        )
    return Status(201, _out(request, record.pk))


@router.post(
    "/{record_id}/consultations/{consultation_id}/answer",
    response=RequestOut,
    url_name="disclosure_consultation_answer",
)
def consultation_answer(request, record_id: str, consultation_id: str, body: AnswerIn):
    """Record the answer (or the silence after the period); the last one resumes the clock."""
    with _acting_on(request, record_id, body.expected_state) as record:
        consultation = ThirdPartyConsultation.objects.filter(
            pk=_id(consultation_id), request=record
        ).first()
        if consultation is None:
            raise Http404
        services.consultation_answer(
            actor=request.user,
            consultation=consultation,
            answer=body.answer,
            text=body.text,
            answered_on=body.answered_on,
        )
    return _out(request, record.pk)


# --- Extension and fees -----------------------------------------------------------------------


@router.post(f"{ACTIONS}/extension", response=RequestOut, url_name="disclosure_extension")
def extension(request, record_id: str, body: ExtensionIn):
    """The office head approves the one extension of at most 20 working days (Art. 33 ¶2)."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.extension_approve(
            actor=request.user,
            request=record,
            days=body.days,
            reason=body.reason,
            approved_on=body.approved_on,
            notified_on=body.notified_on,
        )
    return _out(request, record.pk)


@router.post(f"{ACTIONS}/fee-notice", response=RequestOut, url_name="disclosure_fee_notice")
def fee_notice(request, record_id: str, body: FeeNoticeIn):
    """Send the fee notice computed by the fee rules; processing waits for payment."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.fee_notice(
            actor=request.user,
            request=record,
            basis=body.basis,
            quantity=body.quantity,
            notice_on=body.notice_on,
        )
    return _out(request, record.pk)


@router.post(f"{ACTIONS}/fee-paid", response=RequestOut, url_name="disclosure_fee_paid")
def fee_paid(request, record_id: str, body: FeePaidIn):
    """The fee was paid within the period; processing continues."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.fee_paid(
            actor=request.user,
            request=record,
            paid_on=body.paid_on,
            receipt_number=body.receipt_number,
        )
    return _out(request, record.pk)


@router.post(f"{ACTIONS}/fee-lapse", response=RequestOut, url_name="disclosure_fee_lapse")
def fee_lapse(request, record_id: str, body: StateIn):
    """Not paid within the period: closed as 其他处理 2 (the sweep does it too)."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.fee_lapse(actor=request.user, request=record)
    return _out(request, record.pk)


# --- Reply and delivery -----------------------------------------------------------------------


@router.post(f"{ACTIONS}/reply", response=RequestOut, url_name="disclosure_reply")
def reply(request, record_id: str, body: ReplyIn):
    """Decide the outcome — one of the annual report's result rows — and write the reply;
    部分公开 lists each part, a withheld part with its reason row and words."""
    parts = _parts(body.parts)
    with _acting_on(request, record_id, body.expected_state) as record:
        services.reply(
            actor=request.user,
            request=record,
            outcome=body.outcome,
            text=body.text,
            parts=parts,
            referral=body.referral,
            replied_on=body.replied_on,
        )
    return _out(request, record.pk)


@router.post(
    "/{record_id}/deliveries", response={201: RequestOut}, url_name="disclosure_delivery_record"
)
def delivery_record(request, record_id: str, body: DeliveryIn):
    """Record that a document went to the applicant, how, and (when known) when it arrived."""
    with _acting_on(request, record_id, body.expected_state) as record:
        services.delivery_record(
            actor=request.user,
            request=record,
            document=body.document,
            method=body.method,
            sent_on=body.sent_on,
            delivered_on=body.delivered_on,
            reference=body.reference,
            note=body.note,
        )
    return Status(201, _out(request, record.pk))


@router.post(
    "/{record_id}/deliveries/{delivery_id}/confirm",
    response=RequestOut,
    url_name="disclosure_delivery_confirm",
)
def delivery_confirm(request, record_id: str, delivery_id: str, body: ConfirmIn):
    """Record when a sent document reached the applicant (e.g. the postal return receipt)."""
    with _acting_on(request, record_id, body.expected_state) as record:
        delivery = DeliveryRecord.objects.filter(pk=_id(delivery_id), request=record).first()
        if delivery is None:
            raise Http404
        services.delivery_confirm(
            actor=request.user, delivery=delivery, delivered_on=body.delivered_on
        )
    return _out(request, record.pk)
