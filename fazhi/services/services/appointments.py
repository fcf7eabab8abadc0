"""Online appointments (网上预约): book, look up, cancel; check-in and no-show at the counter.

Rules of the area:
- A citizen books one slot of a center's bookable item: today (a slot whose booking has not
  closed) or one of the next `booking_days_ahead` working days; never a past day, a day off
  (holidays, weekends not worked), a slot outside the sessions or one already started. Name,
  resident ID number (GB 11643 check digit) and a mainland mobile number are required; the
  numbers are stored encrypted and shown masked.
- Never more bookings than places: the slot's `booked` is raised by a conditional UPDATE
  (`booked < capacity`) in the booking's transaction — rowcount 0 means full — and the CHECK
  constraint `booked <= capacity` is the last guard.
- One person (the same resident ID) never holds two overlapping slots, at any center, for any
  item, and holds at most `services.max_open_bookings` booked appointments of an agency. On
  PostgreSQL the booking first takes a transaction-scoped advisory lock derived from the
  person's lookup hash, so two bookings of one person run one after the other and the second
  sees the first. On SQLite a transaction that writes holds the database's single write lock
  until it commits (production opens every transaction with BEGIN IMMEDIATE, see
  settings/env.py); the booking writes (the slot's counter) before it reads the person's other
  bookings, so there too the second booking reads after the first committed.
- The booking number is 12 random digits (`secrets`), unique per agency: it reveals nothing and
  cannot be guessed from another; looking up or cancelling needs it with the ID number.
- A form's one-time token (or the API's Idempotency-Key) makes a double submit one booking: the
  same key with the same slot and person answers the first booking again.
- Cancelling gives the place back, until the slot starts. Check-in only on the appointment's
  day; a no-show only after the slot ended; the sweep `services.appointments_no_show` marks the
  booked appointments of past days.
- Every change of state is an audit event `services.appointments.<verb>`; the public form,
  the look-up and the cancellation are rate-limited per client address.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import date, datetime, time

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core import agency_settings, audit, ratelimit
from fazhi.core.calendar import format_day, is_workday_result
from fazhi.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from fazhi.core.identity import crypto
from fazhi.core.identity.kinds import Kind, validate
from fazhi.core.identity.selectors import filter_by_identifier
from fazhi.services.models import Appointment, AppointmentSlot, CenterItem, ServiceCenter
from fazhi.services.models.appointments import moment
from fazhi.services.permissions.appointments import may_work_counter
from fazhi.services.selectors import appointments as selectors

logger = logging.getLogger("fazhi.services")

State = Appointment.State
NUMBER_DIGITS = 12
NUMBER_ATTEMPTS = 8
MAX_OPEN_SETTING = "services.max_open_bookings"
PUBLIC = "公众"
SWEEP = "fazhi sweep"
# The advisory-lock key space of "one person's bookings" (the first of the two int4 keys).
PERSON_LOCK_SPACE = 0x0A77
_KEY = re.compile(r"[A-Za-z0-9_\-]{16,64}")
_NUMBER = re.compile(rf"[0-9]{{{NUMBER_DIGITS}}}")


class BookingNotFound(DomainError):
    """No appointment has this booking number and ID number (HTTP 404).

    The same answer for an unknown number and a wrong ID number, so it tells nobody which
    numbers exist."""

    code = "booking_not_found"
    status = 404
    default_message = gettext_lazy("未找到该预约，请核对预约号和公民身份号码。")


class TooManyRequests(DomainError):
    """The client sent more than the public-form limit allows this minute (HTTP 429)."""

    code = "rate_limited"
    status = 429
    default_message = gettext_lazy("提交过于频繁，请稍后再试。")


# --- Input --------------------------------------------------------------------------------------


def _name(value) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise InvalidInput(_("请填写姓名。"), code="applicant_name_required")
    if len(name) > 50:
        raise InvalidInput(_("姓名不能超过 50 个字。"), code="applicant_name_too_long")
    if any(not c.isprintable() for c in name):
        raise InvalidInput(_("姓名含有无效字符。"), code="applicant_name_invalid")
    return name


def _key(value) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise InvalidInput(_("表单已失效，请刷新页面后重新提交。"), code="bad_token")
    return value


def _day(value) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(_("请选择预约日期。"), code="day_required")
    return value


def _start(value) -> time:
    if isinstance(value, str):
        found = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", value.strip())
        if found is None:
            raise InvalidInput(_("请选择预约时段。"), code="slot_required")
        return time(int(found.group(1)), int(found.group(2)))
    if not isinstance(value, time):
        raise InvalidInput(_("请选择预约时段。"), code="slot_required")
    return value.replace(second=0, microsecond=0)


def booking_number_of(value) -> str:
    """The booking number as typed (spaces and full-width digits allowed); refused when it is
    not 12 digits."""
    from fazhi.core.identity.validators import canonical

    text = canonical(value).replace(" ", "").replace("-", "")
    if not _NUMBER.fullmatch(text):
        raise InvalidInput(
            _("预约号为 %(n)d 位数字。") % {"n": NUMBER_DIGITS}, code="booking_number_invalid"
        )
    return text


def _limited(request) -> None:
    if request is not None and not ratelimit.hit(request, "public_form"):
        raise TooManyRequests()


def _hash(resident_id: str) -> str:
    return crypto.lookup_hash(Kind.RESIDENT_ID, resident_id)


def _lock_person(person_hash: str) -> None:
    """Serialise the bookings of one person (PostgreSQL; caller is inside the transaction).

    SQLite needs no lock here: see the module docstring."""
    if connection.vendor != "postgresql":
        return
    objid = int(person_hash[:8], 16) - 2**31  # the int4 range
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PERSON_LOCK_SPACE, objid])


def _event(verb: str, appointment: Appointment, *, actor=None, request=None, **data) -> None:
    audit.record(
        f"services.appointments.{verb}",
        actor=actor,
        actor_name="" if actor is not None else (SWEEP if verb == "no_show" else PUBLIC),
        agency=appointment.agency,
        target=appointment,
        request=request,
        data={
            "center": appointment.center_id,
            "item": appointment.item_id,
            "day": appointment.day.isoformat(),
            "starts_at": f"{appointment.starts_at:%H:%M}",
            **data,
        },
    )


# --- Booking ------------------------------------------------------------------------------------


def _replay(existing: Appointment, *, center, item, day, starts_at, resident_id) -> Appointment:
    """The first booking made with a key, when the same slot and person come again."""
    same = (
        existing.center_id == center.pk
        and existing.item_id == item.pk
        and existing.day == day
        and existing.starts_at == starts_at
        and existing.resident_id.matches(resident_id)
    )
    if not same:
        raise Conflict(
            _("此次提交的表单标识已用于另一次预约，请刷新页面后重新提交。"),
            code="idempotency_key_reused",
        )
    existing.replayed = True
    return existing


def _check_day(center: ServiceCenter, day: date, today: date) -> None:
    if day < today:
        raise InvalidInput(_("不能预约今天以前的日期。"), code="day_past")
    check = is_workday_result(day)
    if not check.workday:
        raise InvalidInput(
            _("%(day)s是休息日%(name)s，服务中心不办公，请选择其他日期。")
            % {"day": format_day(day), "name": f"（{check.name}）" if check.name else ""},
            code="day_not_workday",
        )
    last = selectors.last_bookable_day(center, today)
    if day > last:
        raise InvalidInput(
            _("只能预约 %(n)d 个工作日内的时段（最晚 %(last)s）。")
            % {"n": center.booking_days_ahead, "last": format_day(last)},
            code="day_too_far",
        )


def _overlapping(resident_id: str, day: date, starts_at: time, ends_at: time):
    holding = Appointment.objects.filter(
        state__in=Appointment.HOLDING_STATES,
        day=day,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    return filter_by_identifier(holding, "resident_id", resident_id)


def _open_bookings(agency, resident_id: str, today: date) -> int:
    booked = Appointment.objects.filter(agency=agency, state=State.BOOKED, day__gte=today)
    return filter_by_identifier(booked, "resident_id", resident_id).count()


def _new_number() -> str:
    return f"{secrets.randbelow(10**NUMBER_DIGITS):0{NUMBER_DIGITS}d}"


def appointment_book(
    *,
    center: ServiceCenter,
    item,
    day,
    starts_at,
    applicant_name,
    resident_id,
    phone,
    idempotency_key="",
    channel: str = "portal",
    request=None,
    now: datetime | None = None,
) -> Appointment:
    """Book a slot for a citizen; returns the appointment (with `replayed` True when the
    idempotency key had already booked it). Nothing is saved when anything is refused."""
    key = _key(idempotency_key)
    day = _day(day)
    starts_at = _start(starts_at)
    if key is not None:
        existing = Appointment.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _replay(
                existing,
                center=center,
                item=item,
                day=day,
                starts_at=starts_at,
                resident_id=resident_id,
            )
    _limited(request)
    name = _name(applicant_name)
    resident_id = validate(Kind.RESIDENT_ID, resident_id)
    phone = validate(Kind.MOBILE, phone)
    now = selectors.local_now(now)
    today = now.date()
    center_item = (
        CenterItem.objects.select_related("center", "center__agency", "item")
        .filter(center_id=center.pk, item_id=getattr(item, "pk", None))
        .first()
    )
    if (
        center_item is None
        or not center_item.bookable
        or not center_item.item.active
        or not center_item.center.active
        or not center_item.center.agency.is_active
    ):
        raise InvalidInput(_("该服务中心暂不接受此事项的网上预约。"), code="not_bookable")
    center = center_item.center
    agency = center.agency
    _check_day(center, day, today)
    person = _hash(resident_id)
    cutoff = selectors.cutoff_minutes(agency)
    limit = int(agency_settings.get(agency, MAX_OPEN_SETTING))
    try:
        with transaction.atomic():
            appointment = _book_locked(
                center_item,
                day=day,
                starts_at=starts_at,
                now=now,
                cutoff=cutoff,
                limit=limit,
                person=person,
                name=name,
                resident_id=resident_id,
                phone=phone,
                key=key,
            )
            _event(
                "book",
                appointment,
                request=request,
                slot=appointment.slot_id,
                ends_at=f"{appointment.ends_at:%H:%M}",
                channel=channel,
            )
    except _KeyTaken:
        # Two submissions with one key at the same moment: the other one booked.
        existing = Appointment.objects.filter(idempotency_key=key).first()
        if existing is None:  # pragma: no cover - the constraint names the key
            raise
        return _replay(
            existing,
            center=center,
            item=item,
            day=day,
            starts_at=starts_at,
            resident_id=resident_id,
        )
    appointment.replayed = False
    return appointment


class _KeyTaken(Exception):
    pass


def _book_locked(
    center_item: CenterItem,
    *,
    day,
    starts_at,
    now,
    cutoff,
    limit,
    person,
    name,
    resident_id,
    phone,
    key,
) -> Appointment:
    """The booking's writes, in the order the module docstring explains. Caller holds the
    transaction."""
    center = center_item.center
    _lock_person(person)
    if key is not None and Appointment.objects.filter(idempotency_key=key).exists():
        # A double submit of the same form that waited for the first one's lock.
        raise _KeyTaken()
    offer = next(
        (o for o in selectors.day_offers(center_item, day) if o.starts_at == starts_at), None
    )
    if offer is None:
        raise InvalidInput(_("所选时段不存在，请重新选择。"), code="slot_invalid")
    start = moment(day, offer.starts_at)
    if start <= now:
        raise InvalidInput(_("该时段已开始，不能再预约，请选择其他时段。"), code="slot_started")
    if selectors.closes_at(day, offer.starts_at, cutoff) <= now:
        raise InvalidInput(
            _("该时段开始前 %(n)d 分钟截止网上预约，请选择其他时段。") % {"n": cutoff},
            code="slot_closed",
        )
    slot, _created = AppointmentSlot.objects.get_or_create(
        center_id=center.pk,
        item_id=center_item.item_id,
        day=day,
        starts_at=offer.starts_at,
        defaults={
            "agency_id": center.agency_id,
            "ends_at": offer.ends_at,
            "capacity": offer.capacity,
        },
    )
    try:
        with transaction.atomic():
            taken = AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
                booked=F("booked") + 1
            )
    except IntegrityError:  # the CHECK constraint booked <= capacity
        taken = 0
    if not taken:
        raise Conflict(_("该时段已约满，请选择其他时段。"), code="slot_full")
    if _overlapping(resident_id, day, slot.starts_at, slot.ends_at).exists():
        raise Conflict(
            _(
                "该公民身份号码在所选时间已有预约，同一时间只能保留一个预约；"
                "如需改约，请先取消原预约。"
            ),
            code="overlapping_booking",
        )
    if _open_bookings(center.agency, resident_id, now.date()) >= limit:
        raise Conflict(
            _("该公民身份号码已有 %(n)d 个未办理的预约，请办理或取消后再预约。") % {"n": limit},
            code="too_many_bookings",
        )
    for _attempt in range(NUMBER_ATTEMPTS):
        appointment = Appointment(
            agency_id=center.agency_id,
            booking_number=_new_number(),
            slot=slot,
            center=center,
            item_id=center_item.item_id,
            day=day,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            applicant_name=name,
            resident_id=resident_id,
            phone=phone,
            state=State.BOOKED,
            idempotency_key=key,
        )
        try:
            with transaction.atomic():
                appointment.save()
        except IntegrityError:
            if key is not None and Appointment.objects.filter(idempotency_key=key).exists():
                raise _KeyTaken() from None
            continue  # the random number was taken at this agency: draw again
        appointment.agency = center.agency
        appointment.center = center
        appointment.item = center_item.item
        return appointment
    raise Conflict(_("预约号生成失败，请稍后重试。"), code="number_unavailable")


# --- Look-up and cancellation ------------------------------------------------------------------


def appointment_find(*, booking_number, resident_id, agency=None, request=None) -> Appointment:
    """The appointment with this booking number and ID number (at `agency` when given)."""
    _limited(request)
    number = booking_number_of(booking_number)
    resident_id = validate(Kind.RESIDENT_ID, resident_id)
    rows = Appointment.objects.filter(booking_number=number)
    if agency is not None:
        rows = rows.filter(agency=agency)
    found = (
        filter_by_identifier(rows, "resident_id", resident_id)
        .select_related("agency", "center", "item")
        .first()
    )
    if found is None:
        raise BookingNotFound()
    return found


def _refuse_state(appointment: Appointment, action: str) -> None:
    messages = {
        State.CANCELLED: _("该预约已取消。"),
        State.CHECKED_IN: _("该预约已签到。"),
        State.NO_SHOW: _("该预约已记为未到。"),
    }
    raise Conflict(
        messages.get(appointment.state, _("该预约的状态已改变，请刷新后重试。")),
        code="state_changed",
        state=appointment.state,
        action=action,
    )


def _locked(appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("agency", "center", "item")
        .filter(pk=appointment.pk)
        .first()
    )
    if locked is None:  # pragma: no cover - appointments are never deleted
        raise Conflict(_("该预约已不存在。"), code="state_changed")
    return locked


def appointment_cancel(
    *, appointment: Appointment, request=None, now: datetime | None = None
) -> Appointment:
    """The citizen cancels a booked appointment before its slot starts; the place is given
    back. Precondition: the caller verified the citizen by the booking number and the ID
    number (`appointment_find`, in this request or earlier in this browser session)."""
    now = selectors.local_now(now)
    with transaction.atomic():
        locked = _locked(appointment)
        if locked.state != State.BOOKED:
            _refuse_state(locked, "cancel")
        if locked.starts <= now:
            raise Conflict(_("预约时段已开始，不能取消。"), code="slot_started")
        locked.state = State.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["state", "cancelled_at"])
        AppointmentSlot.objects.filter(pk=locked.slot_id, booked__gt=0).update(
            booked=F("booked") - 1
        )
        _event("cancel", locked, request=request, slot=locked.slot_id)
    return locked


def appointment_cancel_by_number(
    *, booking_number, resident_id, agency=None, request=None, now=None
) -> Appointment:
    """Cancel with the booking number and the ID number (one rate-limited call)."""
    found = appointment_find(
        booking_number=booking_number, resident_id=resident_id, agency=agency, request=request
    )
    return appointment_cancel(appointment=found, request=request, now=now)


# --- The counter --------------------------------------------------------------------------------


def _require_counter(actor, appointment: Appointment) -> None:
    if not may_work_counter(actor, appointment.agency_id):
        raise NotAllowed(_("只有本机关的窗口工作人员可以办理签到和记录未到。"), code="not_allowed")


def appointment_check_in(
    *, actor, appointment: Appointment, request=None, now: datetime | None = None
) -> Appointment:
    """The person came: check them in (counter staff, on the appointment's day only)."""
    _require_counter(actor, appointment)
    now = selectors.local_now(now)
    with transaction.atomic():
        locked = _locked(appointment)
        if locked.state != State.BOOKED:
            _refuse_state(locked, "check_in")
        if locked.day != now.date():
            raise Conflict(
                _("只能在预约当日签到（预约日期为%(day)s）。") % {"day": format_day(locked.day)},
                code="not_appointment_day",
            )
        locked.state = State.CHECKED_IN
        locked.checked_in_at = now
        locked.checked_in_by = actor
        locked.save(update_fields=["state", "checked_in_at", "checked_in_by"])
        _event(
            "check_in",
            locked,
            actor=actor,
            request=request,
            late=now > locked.ends,
        )
    return locked


def _mark_no_show(locked: Appointment, now: datetime, *, actor=None, request=None) -> None:
    locked.state = State.NO_SHOW
    locked.no_show_recorded_at = now
    locked.save(update_fields=["state", "no_show_recorded_at"])
    _event("no_show", locked, actor=actor, request=request, by_sweep=actor is None)


def appointment_no_show(
    *, actor, appointment: Appointment, request=None, now: datetime | None = None
) -> Appointment:
    """The person did not come: recorded by counter staff once the slot has ended."""
    _require_counter(actor, appointment)
    now = selectors.local_now(now)
    with transaction.atomic():
        locked = _locked(appointment)
        if locked.state != State.BOOKED:
            _refuse_state(locked, "no_show")
        if now < locked.ends:
            raise Conflict(
                _("预约时段结束（%(t)s）后才能记为未到。") % {"t": f"{locked.ends_at:%H:%M}"},
                code="slot_not_ended",
            )
        _mark_no_show(locked, now, actor=actor, request=request)
    return locked


def ready() -> None:
    """The area's registration: the no-show sweep (called from the app's ready())."""
    from fazhi.core.notify.sweeps import register_sweep

    register_sweep("services.appointments_no_show", no_show_sweep)


def no_show_sweep(now: datetime) -> int:
    """`services.appointments_no_show`: booked appointments of days before today become
    no-shows. Each in its own transaction under the row lock, so a second run (or two at
    once) finds nothing left to mark and changes nothing."""
    now = selectors.local_now(now)
    today = now.date()
    pending = list(
        Appointment.objects.filter(state=State.BOOKED, day__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    marked = 0
    for pk in pending:
        with transaction.atomic():
            locked = (
                Appointment.objects.select_for_update(of=("self",))
                .select_related("agency")
                .filter(pk=pk, state=State.BOOKED, day__lt=today)
                .first()
            )
            if locked is None:
                continue
            _mark_no_show(locked, now)
            marked += 1
    return marked
