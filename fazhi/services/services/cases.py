"""Cases (办件): registration, the steps from 受理 to 送达, the overdue sweep, the ID-card lookup.

Every change runs in one transaction, checks the actor's role, validates its input and writes
an audit event:

- `case_register`: at the counter (a center of the agency), from a checked-in appointment (one
  case per appointment) or through the API from the one-stop platform (一网通办), where the
  platform's `external_ref` makes registration idempotent: the same reference returns the same
  case, also when two requests arrive at once (the series lock serialises them and the unique
  constraint is the last guard). The case number comes from a gap-free series per agency and
  year (示民办〔2026〕000123号); the time limits are copied from the published guide and the
  power kind from the item's power in the latest published list.
- The steps go through `core.workflow.perform` (the transition methods of the model write and
  check the dates, the guards refuse a second 补正): `case_accept`, `case_not_accept`,
  `case_start_review`, `case_request_supplement`, `case_receive_supplement`, `case_grant`,
  `case_deny`, `case_conclude` (which calls `ratings.rating_invite` in its transaction and
  returns the links), `case_deliver`; `case_propose` records the clerk's 拟办意见 for the head
  (an event, not a step); `case_transfer` (转办) and `case_urge` (催办) use the workflow's own
  operations.
- `case_overdue_sweep` (`fazhi sweep`, idempotent): running cases past the promised deadline
  are flagged 1 and their handler and department head told; past the statutory deadline 2, and
  the legal office and leaders told. Reminders go to the handler a few working days before the
  promised deadline (agency setting `services.case_remind_workdays`).
- `case_id_lookup` (刷证办事): a person's cases and appointments in the agency by the lookup hash;
  every lookup is the event `services.cases.id_lookup` with the reason and the masked number.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core import agency_settings, audit, workflow
from fazhi.core.calendar import add_workdays, workdays_between
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.identity.kinds import Kind, mask
from fazhi.core.identity.kinds import validate as validate_identifier
from fazhi.core.models import Membership
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.services.models import (
    ApplicantKind,
    Appointment,
    CaseChannel,
    Power,
    PowerList,
    ServiceCase,
    ServiceCenter,
    ServiceGuide,
    ServiceItem,
)
from fazhi.services.models.cases import step_day, supplement_list
from fazhi.services.permissions import cases as perms
from fazhi.services.services._common import neutralise, text

SERIES = "services.case"
SWEEP_NAME = "services.case_overdue"
REMIND_SETTING = "services.case_remind_workdays"
LOOKUP_VERB = "services.cases.id_lookup"
SWEEP_ACTOR = "fazhi sweep"
EARLIEST = date(2000, 1, 1)
NAME_MAX = 100
SUMMARY_MAX = 200
REASON_MAX = 2000
LOOKUP_REASON_MAX = 200
_EXTERNAL_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}", re.ASCII)

State = ServiceCase.State


def ready() -> None:
    """Registrations of the cases area: the case-number series, the overdue sweep, 待办."""
    from fazhi.core.notify.sweeps import register_sweep
    from fazhi.core.numbering import SeriesKind, register_series
    from fazhi.workspace.tasks import provider

    # 示民办〔2026〕000123号: the agency's 机关代字 + 办; six digits keep the numbers sortable.
    register_series(
        SeriesKind(
            SERIES,
            "办件编号",
            lambda agency: f"{agency.short_name}办",
            template="{prefix}〔{year}〕{n:06d}号",
        )
    )
    register_sweep(SWEEP_NAME, case_overdue_sweep)
    provider(case_tasks)


# --- Helpers ----------------------------------------------------------------------------------


def _require_counter(actor, agency) -> None:
    if not getattr(actor, "is_authenticated", False) or agency.pk not in perms.counter_agency_ids(
        actor
    ):
        raise NotAllowed(_("只有本机关的窗口工作人员可以登记办件。"), code="not_counter_staff")


def _people(agency_id: int, roles, department_id: int | None = None) -> list:
    memberships = Membership.objects.active().filter(agency_id=agency_id, role__in=list(roles))
    if department_id is not None:
        memberships = memberships.filter(department_id=department_id)
    return [m.user for m in memberships.select_related("user").order_by("pk")]


def case_url(case) -> str:
    return f"/staff/services/cases/{case.pk}/"


def _applicant(kind: str, resident_id, credit_code) -> tuple[str, str]:
    """(resident_id, credit_code) normalised for the applicant's kind; the other one blank."""
    if kind == ApplicantKind.PERSON:
        if not str(resident_id or "").strip():
            raise InvalidInput(_("请填写申请人的公民身份号码。"), code="resident_id_required")
        if hasattr(resident_id, "ciphertext"):  # a stored number (from an appointment)
            return resident_id, ""
        return validate_identifier(Kind.RESIDENT_ID, resident_id), ""
    if kind == ApplicantKind.ORGANISATION:
        if not str(credit_code or "").strip():
            raise InvalidInput(_("请填写统一社会信用代码。"), code="credit_code_required")
        return "", validate_identifier(Kind.CREDIT_CODE, credit_code)
    raise InvalidInput(_("请选择申请人类型。"), code="applicant_kind_invalid")


def _phone(value):
    if hasattr(value, "ciphertext"):
        return value
    if not str(value or "").strip():
        return ""
    return validate_identifier(Kind.PHONE, value)


def _published_guide(item) -> ServiceGuide:
    guide = ServiceGuide.objects.filter(item=item, state=ServiceGuide.State.PUBLISHED).first()
    if guide is None:
        raise InvalidInput(
            _("“%(item)s”没有已发布的办事指南，不能登记办件。") % {"item": item.name},
            code="guide_not_published",
        )
    return guide


def _power_kind(item) -> str:
    latest = (
        PowerList.objects.filter(agency_id=item.agency_id, state=PowerList.State.PUBLISHED)
        .order_by("-version")
        .first()
    )
    power = (
        Power.objects.filter(power_list=latest, code=item.power_code).first() if latest else None
    )
    if power is None:
        raise InvalidInput(
            _("“%(item)s”所属的权力不在已发布的权力清单中，不能登记办件。") % {"item": item.name},
            code="power_not_published",
        )
    return power.kind


def _item(agency, item) -> ServiceItem:
    if not isinstance(item, ServiceItem) or item.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的服务事项。"), code="item_unknown")
    if not item.active:
        raise InvalidInput(_("该服务事项已停用。"), code="item_inactive")
    return item


def _center(agency, center, *, required: bool) -> ServiceCenter | None:
    if center is None:
        if required:
            raise InvalidInput(_("请选择受理中心。"), code="center_required")
        return None
    if not isinstance(center, ServiceCenter) or center.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的受理中心。"), code="center_unknown")
    if not center.active:
        raise InvalidInput(_("该受理中心已停用。"), code="center_inactive")
    return center


def _received_on(value) -> date:
    day = step_day(value, None, "", _("收件日期"))
    if day < EARLIEST:
        raise InvalidInput(_("收件日期不能早于 2000 年。"), code="date_out_of_range")
    return day


def _external_ref(value) -> str:
    ref = str(value or "").strip()
    if ref and not _EXTERNAL_REF.fullmatch(ref):
        raise InvalidInput(
            _("一网通办申请编号只能由字母、数字和 . _ : / - 组成，不超过 64 位。"),
            code="external_ref_invalid",
        )
    return ref


# --- Registration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    case: ServiceCase
    # False when the external reference was registered before: the same case is returned.
    created: bool


class _AlreadyRegistered(Exception):
    def __init__(self, case):
        self.case = case


def _same_application(case, *, item, resident_id, credit_code) -> ServiceCase:
    """A repeated external reference must name the same item and applicant."""
    same_item = item is None or case.item_id == item.pk
    same_person = True
    for stored, given in ((case.resident_id, resident_id), (case.credit_code, credit_code)):
        if not (given and stored and hasattr(stored, "matches")):
            continue
        same = stored == given if hasattr(given, "ciphertext") else stored.matches(given)
        same_person = same_person and same
    if not (same_item and same_person):
        raise Conflict(
            _("一网通办申请编号“%(ref)s”已登记为另一件申请（%(number)s）。")
            % {"ref": case.external_ref, "number": case.case_number},
            code="external_ref_conflict",
        )
    return case


def case_register(
    *,
    actor,
    agency,
    item,
    channel,
    applicant_kind,
    applicant_name,
    resident_id="",
    credit_code="",
    phone="",
    summary="",
    center=None,
    appointment=None,
    external_ref="",
    received_on=None,
    request=None,
    accept_now: bool = False,
) -> ServiceCase:
    """Register a case (已收件); see `case_register_result` (which also says whether it is new)."""
    return case_register_result(
        actor=actor,
        agency=agency,
        item=item,
        channel=channel,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        resident_id=resident_id,
        credit_code=credit_code,
        phone=phone,
        summary=summary,
        center=center,
        appointment=appointment,
        external_ref=external_ref,
        received_on=received_on,
        request=request,
        accept_now=accept_now,
    ).case


def case_register_result(
    *,
    actor,
    agency,
    item,
    channel,
    applicant_kind,
    applicant_name,
    resident_id="",
    credit_code="",
    phone="",
    summary="",
    center=None,
    appointment=None,
    external_ref="",
    received_on=None,
    request=None,
    accept_now: bool = False,
) -> Registration:
    """Register a case for `item` received on `received_on` (today by default, never later).

    - counter: `center` is one of the agency's active centers;
    - appointment: `appointment` is a checked-in appointment of the agency without a case; its
      item, center, the person's name, ID number and phone are taken from it;
    - online (一网通办): `external_ref` (also accepted on the other channels) registered before
      returns that case with `created` False — if it names another item or applicant, Conflict.
    `accept_now` accepts the case on the day of receipt (当场受理) in the same transaction, for
    an actor who may handle the case. Raises NotAllowed / InvalidInput / Conflict; nothing is
    written then.
    """
    _require_counter(actor, agency)
    if channel not in CaseChannel.values:
        raise InvalidInput(_("请选择收件渠道。"), code="channel_invalid")
    external_ref = _external_ref(external_ref)
    if appointment is not None:
        if channel != CaseChannel.APPOINTMENT:
            raise InvalidInput(
                _("由预约登记的办件，收件渠道应为预约办理。"), code="channel_invalid"
            )
        if not isinstance(appointment, Appointment) or appointment.agency_id != agency.pk:
            raise InvalidInput(_("预约不属于本机关。"), code="appointment_unknown")
        item = appointment.item
        center = appointment.center
        applicant_kind = ApplicantKind.PERSON
        resident_id = appointment.resident_id
        applicant_name = applicant_name or appointment.applicant_name
        phone = phone or appointment.phone
    elif channel == CaseChannel.APPOINTMENT:
        raise InvalidInput(_("请选择已签到的预约。"), code="appointment_required")
    resident_id, credit_code = _applicant(applicant_kind, resident_id, credit_code)
    if external_ref:
        known = ServiceCase.objects.filter(agency=agency, external_ref=external_ref).first()
        if known is not None:
            return Registration(
                _same_application(
                    known, item=item, resident_id=resident_id, credit_code=credit_code
                ),
                False,
            )
    item = _item(agency, item)
    if channel == CaseChannel.ONLINE and not item.online:
        raise InvalidInput(
            _("“%(item)s”不可网上办理。") % {"item": item.name}, code="item_not_online"
        )
    guide = _published_guide(item)
    power_kind = _power_kind(item)
    center = _center(agency, center, required=channel == CaseChannel.COUNTER)
    name = text(applicant_name, _("申请人"), limit=NAME_MAX, code="applicant_name")
    summary = text(summary, _("申请事项摘要"), limit=SUMMARY_MAX, code="summary", required=False)
    phone = _phone(phone)
    received = _received_on(received_on)
    try:
        with transaction.atomic():
            if appointment is not None:
                _claim_appointment(appointment)
            issued = _allocate(actor, agency, received.year)
            if external_ref:
                known = ServiceCase.objects.filter(agency=agency, external_ref=external_ref).first()
                if known is not None:
                    # Registered by a request that held the series lock before us.
                    raise _AlreadyRegistered(known)
            case = ServiceCase(
                agency=agency,
                case_number=issued.text,
                item=item,
                department_id=item.department_id,
                power_kind=power_kind,
                center=center,
                channel=channel,
                appointment=appointment,
                external_ref=external_ref,
                applicant_kind=applicant_kind,
                applicant_name=name,
                summary=summary,
                received_on=received,
                promised_days=guide.promised_days,
                statutory_days=guide.statutory_days,
                created_by=actor,
            )
            case.resident_id = resident_id
            case.credit_code = credit_code
            case.phone = phone
            case.save()
            audit.record(
                "services.cases.register",
                actor=actor,
                agency=agency,
                target=case,
                request=request,
                to_state=case.state,
                data={
                    "channel": channel,
                    "item": item.pk,
                    "center": center.pk if center else None,
                    "appointment": appointment.pk if appointment else None,
                    "external_ref": external_ref,
                    "applicant": str(case.resident_id or case.credit_code),
                    "received_on": received.isoformat(),
                    "promised_days": case.promised_days,
                    "statutory_days": case.statutory_days,
                },
            )
            if accept_now:
                case = workflow.perform(case, "accept", actor=actor, on=received)
            else:
                notify(
                    recipients=[
                        u
                        for u in _people(agency.pk, [Role.CLERK], item.department_id)
                        if u != actor
                    ],
                    kind="services_case",
                    title=_("新办件待受理：%(number)s %(item)s")
                    % {"number": case.case_number, "item": item.name[:60]},
                    url=case_url(case),
                    target=case,
                    agency=agency,
                    dedupe_key=f"services.case.registered:{case.pk}",
                )
    except _AlreadyRegistered as done:
        return Registration(
            _same_application(
                done.case, item=item, resident_id=resident_id, credit_code=credit_code
            ),
            False,
        )
    except IntegrityError:
        if external_ref:
            known = ServiceCase.objects.filter(agency=agency, external_ref=external_ref).first()
            if known is not None:
                return Registration(
                    _same_application(
                        known, item=item, resident_id=resident_id, credit_code=credit_code
                    ),
                    False,
                )
        if appointment is not None and ServiceCase.objects.filter(appointment=appointment).exists():
            raise Conflict(_("该预约已登记办件。"), code="appointment_has_case") from None
        raise
    return Registration(case, True)


def _allocate(actor, agency, year: int):
    from fazhi.core.numbering import number_allocate

    return number_allocate(actor=actor, agency=agency, key=SERIES, year=year)


def _claim_appointment(appointment) -> None:
    """Lock the appointment and check it may become a case (checked in, no case yet)."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.state != Appointment.State.CHECKED_IN:
        raise Conflict(_("只有已签到的预约可以登记办件。"), code="appointment_not_checked_in")
    if ServiceCase.objects.filter(appointment_id=locked.pk).exists():
        raise Conflict(_("该预约已登记办件。"), code="appointment_has_case")


# --- Steps ------------------------------------------------------------------------------------


def _step(case, action: str, *, actor, comment: str = "", **data) -> ServiceCase:
    comment = text(comment, _("意见"), limit=REASON_MAX, code="comment", required=False)
    return workflow.perform(case, action, actor=actor, comment=comment, **data)


def case_accept(*, actor, case, on: date | None = None, comment: str = "") -> ServiceCase:
    """受理 (已收件 → 已受理): both clocks start on `on` (the start day not counted)."""
    return _step(case, "accept", actor=actor, comment=comment, on=on)


def case_not_accept(*, actor, case, reason: str, on: date | None = None) -> ServiceCase:
    """不予受理 with its reason (已收件 → 不予受理); the case ends."""
    reason = text(reason, _("不予受理理由"), limit=REASON_MAX, code="reason")
    return _step(case, "not_accept", actor=actor, comment=reason, on=on)


def case_start_review(*, actor, case, comment: str = "") -> ServiceCase:
    return _step(case, "start_review", actor=actor, comment=comment)


def case_request_supplement(
    *, actor, case, items, on: date | None = None, comment: str = ""
) -> ServiceCase:
    """一次性告知补正 with the list of what is missing (once per case); the clocks stop."""
    cleaned = supplement_list(items)
    return _step(
        case, "request_supplement", actor=actor, comment=comment, items="\n".join(cleaned), on=on
    )


def case_receive_supplement(
    *, actor, case, on: date | None = None, comment: str = ""
) -> ServiceCase:
    """补正材料收到: the clocks resume, the deadlines move by the paused working days."""
    return _step(case, "receive_supplement", actor=actor, comment=comment, on=on)


def case_grant(*, actor, case, on: date | None = None, comment: str = "") -> ServiceCase:
    """准予 (head of the case's department or the legal office)."""
    return _step(case, "grant", actor=actor, comment=comment, on=on)


def case_deny(*, actor, case, reason: str, on: date | None = None) -> ServiceCase:
    """不予 with its reason (head of the case's department or the legal office)."""
    reason = text(reason, _("不予理由"), limit=REASON_MAX, code="reason")
    return _step(case, "deny", actor=actor, comment=reason, on=on)


def case_conclude(
    *, actor, case, on: date | None = None, comment: str = ""
) -> tuple[ServiceCase, dict[str, str]]:
    """办结: fixes the on-time flags and, in the same transaction, issues the rating links
    (`ratings.rating_invite`); returns the case and {channel: path of the rating page}."""
    from fazhi.services.services.ratings import rating_invite

    with transaction.atomic():
        done = _step(case, "conclude", actor=actor, comment=comment, on=on)
        links = rating_invite(done, actor=actor) or {}
    return done, dict(links)


def case_deliver(
    *, actor, case, method: str, on: date | None = None, comment: str = ""
) -> ServiceCase:
    """送达 the result (已办结 → 已送达), by `method` (see DELIVERY_METHODS), not before 办结."""
    return _step(case, "deliver", actor=actor, comment=comment, delivery_method=method, on=on)


PROPOSALS = {
    ServiceCase.Decision.GRANTED: gettext_lazy("拟准予"),
    ServiceCase.Decision.DENIED: gettext_lazy("拟不予"),
}


def case_propose(*, actor, case, decision: str, opinion: str, request=None) -> ServiceCase:
    """拟办意见: the clerk proposes 准予 or 不予 with an opinion for the head to decide on.

    Not a step of the case (the head decides, and may decide otherwise): an audit event on the
    case and a notice to the department head(s). Only while the case is 审查中.
    """
    if decision not in PROPOSALS:
        raise InvalidInput(_("请选择拟办结果（拟准予或拟不予）。"), code="proposal_invalid")
    opinion = text(opinion, _("拟办意见"), limit=REASON_MAX, code="opinion")
    with transaction.atomic():
        locked = ServiceCase.objects.select_for_update().get(pk=case.pk)
        if not perms.may_handle(actor, locked):
            raise NotAllowed()
        if locked.state != State.REVIEWING:
            raise Conflict(_("只有审查中的办件可以提出拟办意见。"), code="state_changed")
        audit.record(
            "services.cases.propose",
            actor=actor,
            agency=locked.agency,
            target=locked,
            request=request,
            from_state=locked.state,
            to_state=locked.state,
            data={"decision": decision, "comment": opinion},
        )
        notify(
            recipients=_people(locked.agency_id, [Role.DEPARTMENT_HEAD], locked.department_id),
            kind="services_case",
            title=_("待审批：%(number)s（%(proposal)s）")
            % {"number": locked.case_number, "proposal": PROPOSALS[decision]},
            body=opinion[:500],
            url=case_url(locked),
            target=locked,
            agency=locked.agency,
        )
    return locked


def latest_proposal(case) -> dict | None:
    """The latest 拟办意见 on the case: {decision, label, opinion, actor, at}."""
    from fazhi.core.models import Event

    event = (
        Event.objects.filter(
            target_type=case._meta.label_lower,
            target_id=str(case.pk),
            verb="services.cases.propose",
        )
        .order_by("-seq")
        .first()
    )
    if event is None:
        return None
    decision = event.data.get("decision", "")
    return {
        "decision": decision,
        "label": str(PROPOSALS.get(decision, decision)),
        "opinion": event.data.get("comment", ""),
        "actor": event.actor_name,
        "at": event.at,
    }


def case_transfer(*, actor, case, to_user, comment: str = "") -> ServiceCase:
    """转办: the handler hands the case to a clerk of its department (or the legal office)."""
    comment = text(comment, _("转办说明"), limit=500, code="comment", required=False)
    return workflow.transfer(case, actor=actor, to_user=to_user, comment=comment)


def case_urge(*, actor, case, comment: str = "") -> ServiceCase:
    """催办 (legal office, leaders, the head of the department); once a day per person."""
    comment = text(comment, _("催办说明"), limit=500, code="comment", required=False)
    return workflow.urge(case, actor=actor, comment=comment)


def case_changed(case, verb: str, actor, data: dict) -> None:
    """After a step commits: tell the people the case now waits for."""
    recipients: list = []
    title = ""
    if verb in ("grant", "deny"):
        recipients = [case.handler] if case.handler_id else []
        title = _("已作出决定，请办结：%(number)s") % {"number": case.case_number}
    elif verb == workflow.TRANSFER:
        recipients = [case.handler] if case.handler_id else []
        title = _("转办给您的办件：%(number)s") % {"number": case.case_number}
    elif verb == workflow.URGE:
        recipients = (
            [case.handler]
            if case.handler_id
            else _people(case.agency_id, [Role.CLERK], case.department_id)
        )
        title = _("催办：%(number)s") % {"number": case.case_number}
    recipients = [r for r in recipients if r is not None and r != actor]
    if recipients:
        notify(
            recipients=recipients,
            kind="services_case",
            title=title,
            body=str(data.get("comment", ""))[:500],
            url=case_url(case),
            target=case,
            agency=case.agency,
        )


# --- Revealing a number -----------------------------------------------------------------------

REVEALABLE = ("resident_id", "credit_code", "phone")


def case_reveal(*, actor, case, field: str, reason: str, request=None) -> str:
    """The full ID number, credit code or phone of the applicant, for someone who reads the
    case; the reveal is an audit event with its reason (core.identity)."""
    from fazhi.core.identity.conf import reveal_reason_max_length
    from fazhi.core.identity.services import identity_reveal

    if field not in REVEALABLE:
        raise InvalidInput(_("该字段不是可查看的号码。"), code="identity_field_unknown")
    if not perms.may_reveal(actor, case):
        raise NotAllowed()
    # NUL and control characters are refused here (PostgreSQL would refuse them with a 500).
    reason = text(reason, _("查看理由"), limit=reveal_reason_max_length(), code="reason")
    return identity_reveal(actor=actor, obj=case, field=field, reason=reason, request=request)


# --- ID-card lookup (刷证办事) -----------------------------------------------------------------


class BadNumber(InvalidInput):
    """A resident ID number that fails its check: 400 (the number is not even well-formed)."""

    status = 400


@dataclass
class LookupResult:
    masked: str
    cases: list = field(default_factory=list)
    appointments: list = field(default_factory=list)


def case_id_lookup(*, actor, agency, number: str, reason: str, request=None) -> LookupResult:
    """A person's cases (every department of the agency) and appointments by ID number.

    Counter staff of the agency only. The number must pass GB 11643 (else BadNumber, nothing
    recorded); every lookup, with or without result, is the event `services.cases.id_lookup`
    with the reason, the masked number and the counts — never the number itself.
    """
    from fazhi.services.selectors import cases as selectors

    if not getattr(actor, "is_authenticated", False) or agency.pk not in perms.counter_agency_ids(
        actor
    ):
        raise NotAllowed(_("只有本机关的窗口工作人员可以刷证查询。"), code="not_counter_staff")
    try:
        normalised = validate_identifier(Kind.RESIDENT_ID, number)
    except InvalidInput as exc:
        raise BadNumber(exc.message, code="resident_id_invalid") from None
    reason = text(reason, _("查询事由"), limit=LOOKUP_REASON_MAX, code="reason")
    if normalised in "".join(reason.split()).upper():
        raise InvalidInput(_("查询事由中不能包含号码本身。"), code="reason_contains_value")
    masked = mask(Kind.RESIDENT_ID, normalised)
    cases = selectors.cases_of_person(agency, normalised)
    appointments = selectors.appointments_of_person(agency, normalised)
    with transaction.atomic():
        audit.record(
            LOOKUP_VERB,
            actor=actor,
            agency=agency,
            request=request,
            data={
                "reason": reason,
                "masked": masked,
                "cases": len(cases),
                "appointments": len(appointments),
            },
        )
    return LookupResult(masked=masked, cases=cases, appointments=appointments)


# --- The overdue sweep ------------------------------------------------------------------------


def _today(now: datetime | None) -> date:
    return timezone.localdate(now) if now is not None else timezone.localdate()


def case_overdue_sweep(now: datetime | None = None) -> int:
    """Flag running cases past their deadlines and tell the people concerned; remind handlers
    before the promised deadline. Safe to run twice: a flag only rises (a conditional update)
    and every notice carries a deduplication key. Returns the notices sent."""
    today = _today(now)
    sent = 0
    candidates = (
        ServiceCase.objects.filter(state__in=ServiceCase.RUNNING_STATES)
        .filter(
            Q(promised_due_on__lt=today, overdue__lt=ServiceCase.Overdue.PROMISED)
            | Q(statutory_due_on__lt=today, overdue__lt=ServiceCase.Overdue.STATUTORY)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        sent += _flag_overdue(pk, today)
    sent += _remind_due_soon(today)
    return sent


def _flag_overdue(pk: int, today: date) -> int:
    with transaction.atomic():
        case = (
            ServiceCase.objects.select_for_update(of=("self",))
            .select_related("agency", "handler")
            .get(pk=pk)
        )
        level = case.overdue_level(today)
        previous = case.overdue
        if level <= previous:
            return 0
        ServiceCase.objects.filter(pk=pk, overdue__lt=level).update(overdue=level)
        audit.record(
            "services.cases.overdue",
            actor_name=SWEEP_ACTOR,
            agency=case.agency,
            target=case,
            from_state=case.state,
            to_state=case.state,
            data={
                "level": level,
                "promised_due_on": str(case.promised_due_on or ""),
                "statutory_due_on": str(case.statutory_due_on or ""),
            },
        )
        sent = 0
        if previous < ServiceCase.Overdue.PROMISED and case.promised_due_on is not None:
            people = _people(case.agency_id, [Role.DEPARTMENT_HEAD], case.department_id)
            if case.handler_id:
                people.insert(0, case.handler)
            sent += len(
                notify(
                    recipients=people,
                    kind="services_case_overdue",
                    title=_("办件已超承诺时限：%(number)s（%(due)s到期）")
                    % {"number": case.case_number, "due": case.promised_due_on.isoformat()},
                    url=case_url(case),
                    target=case,
                    agency=case.agency,
                    dedupe_key=f"services.case.overdue:{case.pk}:1",
                )
            )
        if level == ServiceCase.Overdue.STATUTORY:
            sent += len(
                notify(
                    recipients=_people(case.agency_id, [Role.LEGAL_OFFICER, Role.LEADER]),
                    kind="services_case_overdue",
                    title=_("办件已超法定时限：%(number)s（%(due)s到期）")
                    % {"number": case.case_number, "due": case.statutory_due_on.isoformat()},
                    url=case_url(case),
                    target=case,
                    agency=case.agency,
                    dedupe_key=f"services.case.overdue:{case.pk}:2",
                )
            )
    return sent


def _remind_due_soon(today: date) -> int:
    """The handler is reminded once per deadline, N working days before it (agency setting;
    0 switches the reminder off)."""
    horizon = add_workdays(today, 10)
    rows = (
        ServiceCase.objects.filter(
            state__in=ServiceCase.RUNNING_STATES,
            promised_due_on__gte=today,
            promised_due_on__lte=horizon,
            handler__isnull=False,
        )
        .select_related("agency", "handler")
        .order_by("pk")
    )
    settings_by_agency: dict[int, int] = {}
    sent = 0
    for case in rows:
        if case.agency_id not in settings_by_agency:
            settings_by_agency[case.agency_id] = agency_settings.get(case.agency, REMIND_SETTING)
        ahead = settings_by_agency[case.agency_id]
        if not ahead or workdays_between(today, case.promised_due_on) > ahead:
            continue
        sent += len(
            notify(
                recipients=[case.handler],
                kind="services_case_due",
                title=_("办件即将到期：%(number)s（%(due)s到期）")
                % {"number": case.case_number, "due": case.promised_due_on.isoformat()},
                url=case_url(case),
                target=case,
                agency=case.agency,
                dedupe_key=f"services.case.due:{case.pk}:{case.promised_due_on.isoformat()}",
            )
        )
    return sent


# --- 待办 -------------------------------------------------------------------------------------

TASK_LIMIT = 50
_TASK_TEXT = {
    State.RECEIVED: gettext_lazy("受理：%(number)s %(item)s"),
    State.ACCEPTED: gettext_lazy("开始审查：%(number)s %(item)s"),
    State.REVIEWING: gettext_lazy("审查并提出拟办意见：%(number)s %(item)s"),
    State.SUPPLEMENT: gettext_lazy("等待申请人补正：%(number)s %(item)s"),
    State.GRANTED: gettext_lazy("办结：%(number)s %(item)s"),
    State.DENIED: gettext_lazy("办结：%(number)s %(item)s"),
    State.CONCLUDED: gettext_lazy("送达办理结果：%(number)s %(item)s"),
}


def case_tasks(user):
    """Cases waiting for the user: a clerk's department's new cases and the cases they handle
    (by deadline); a department head's cases under review (to decide). Two queries at most."""
    from fazhi.core.tenancy import writable_agency_ids
    from fazhi.workspace.tasks import Task

    if not getattr(user, "is_authenticated", False):
        return
    module = _("办件")
    writable = writable_agency_ids(user)
    clerk_departments = {d for a in writable for d in perms.department_ids(user, a, (Role.CLERK,))}
    handled = Q(agency_id__in=writable, handler=user, state__in=list(_TASK_TEXT))
    if clerk_departments:
        handled |= Q(
            agency_id__in=writable, department_id__in=clerk_departments, state=State.RECEIVED
        )
    rows = (
        ServiceCase.objects.filter(handled)
        .order_by("promised_due_on", "received_on", "pk")
        .values_list("pk", "case_number", "item__name", "state", "promised_due_on")[:TASK_LIMIT]
    )
    for pk, number, item, state, due in rows:
        yield Task(
            _TASK_TEXT[state] % {"number": number, "item": item},
            f"/staff/services/cases/{pk}/",
            module,
            due,
        )
    head_departments = {
        d for a in writable for d in perms.department_ids(user, a, (Role.DEPARTMENT_HEAD,))
    }
    if head_departments:
        rows = (
            ServiceCase.objects.filter(
                agency_id__in=writable, department_id__in=head_departments, state=State.REVIEWING
            )
            .order_by("promised_due_on", "received_on", "pk")
            .values_list("pk", "case_number", "item__name", "promised_due_on")[:TASK_LIMIT]
        )
        for pk, number, item, due in rows:
            yield Task(
                _("审批（准予或不予）：%(number)s %(item)s") % {"number": number, "item": item},
                f"/staff/services/cases/{pk}/",
                module,
                due,
            )


# --- Figures export ---------------------------------------------------------------------------


def figures_export(*, actor, agency, year: int, request=None) -> bytes:
    """The figures page as XLSX: decisions by kind, on-time rates per item and per department.
    Every text cell goes through `neutralise` (no cell starts with = + - @); the export is an
    audit event."""
    from openpyxl import Workbook

    from fazhi.services.selectors import cases as selectors

    if not actor.has_perm("services.view_cases") or agency.pk not in selectors.reading_agency_ids(
        actor
    ):
        raise NotAllowed()
    book = Workbook()
    sheet = book.active
    sheet.title = neutralise(_("处理决定"))[:31]
    sheet.append([neutralise(_("事项类型")), _("准予"), _("不予"), _("不予受理"), _("合计")])
    for row in selectors.decision_rows(agency, year):
        sheet.append(
            [neutralise(row["label"]), row["granted"], row["denied"], row["not_accepted"],
             row["total"]]
        )  # fmt: skip
    for by, title in (("item", _("按事项")), ("department", _("按处室"))):
        sheet = book.create_sheet(neutralise(_("按时办结率") + "（" + str(title) + "）")[:31])
        sheet.append(
            [
                neutralise(_("服务事项") if by == "item" else _("责任处室")),
                _("办结件数"),
                _("承诺时限内办结"),
                _("承诺时限按时办结率（百分数）"),
                _("法定时限内办结"),
                _("法定时限按时办结率（百分数）"),
            ]
        )
        for row in selectors.on_time_rates(agency, year, by=by):
            sheet.append(
                [
                    neutralise(row.name),
                    row.concluded,
                    row.on_time_promised,
                    str(row.promised_rate) if row.promised_rate is not None else "",
                    row.on_time_statutory,
                    str(row.statutory_rate) if row.statutory_rate is not None else "",
                ]
            )
    out = io.BytesIO()
    book.save(out)
    with transaction.atomic():
        audit.record(
            "services.cases.figures_export",
            actor=actor,
            agency=agency,
            request=request,
            data={"year": year},
        )
    return out.getvalue()
