"""Community affairs service centers (社区事务受理服务中心) and the items each one takes.

Rules of the area:
- Only the legal office of the center's agency creates and changes centers and their items
  (`services.centers.*` audit events); nothing is deleted: a center or an item is switched off
  (`active` / `bookable`), which keeps every appointment made for it.
- Opening hours: a morning session and an optional afternoon session on every working day of
  the calendar; each session ends after it opens, the afternoon starts no earlier than the
  morning ends; times are whole minutes.
- An item taken at a center: a service item of the same agency that is in use; when bookable,
  slots of 5–240 minutes, at least one of which fits in a session, with 1–500 places each.
  Changing the hours keeps every bookable item's slot fitting in a session.
- A changed number of places applies to the slots of today and later at once; a slot that
  already holds more bookings than the new number keeps them and takes no more. A changed
  slot length applies to the slots not yet booked (a booked slot keeps its times: people
  were given them).
"""

from __future__ import annotations

import re
from datetime import time

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import audit
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Subdistrict
from fazhi.services.models import AppointmentSlot, CenterItem, ServiceCenter, ServiceItem
from fazhi.services.models.centers import minutes_of
from fazhi.services.permissions.centers import may_manage_centers
from fazhi.services.services._common import text

MIN_SLOT, MAX_SLOT = 5, 240
MIN_CAPACITY, MAX_CAPACITY = 1, 500
MAX_DAYS_AHEAD = 60
CENTER_FIELDS = (
    "name",
    "subdistrict",
    "address",
    "phone",
    "morning_opens",
    "morning_closes",
    "afternoon_opens",
    "afternoon_closes",
    "booking_days_ahead",
    "active",
)
ITEM_FIELDS = ("bookable", "slot_minutes", "capacity")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
# A consulting number as people write it: digits with hyphens, spaces, brackets, commas.
_PHONE = re.compile(r"[0-9][0-9\- ()（），,、]{2,39}")


# --- Checks -------------------------------------------------------------------------------------


def _require_office(actor, agency_id: int) -> None:
    if not may_manage_centers(actor, agency_id):
        raise NotAllowed(_("只有法制办可以管理服务中心。"), code="not_allowed")


def _time(value, label, *, code: str, required: bool = True) -> time | None:
    """A time of day in whole minutes: a `time` or "HH:MM"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{code}_required")
        return None
    if isinstance(value, str):
        found = _TIME.fullmatch(value.strip())
        if found is None:
            raise InvalidInput(
                _("%(label)s格式不正确，应为“时:分”，如 09:00。") % {"label": label},
                code=f"{code}_invalid",
            )
        return time(int(found.group(1)), int(found.group(2)))
    if not isinstance(value, time) or value.tzinfo is not None:
        raise InvalidInput(
            _("%(label)s格式不正确，应为“时:分”，如 09:00。") % {"label": label},
            code=f"{code}_invalid",
        )
    if value.second or value.microsecond:
        raise InvalidInput(
            _("%(label)s只能精确到分钟。") % {"label": label}, code=f"{code}_invalid"
        )
    return value


def _whole(value, label, *, low: int, high: int, code: str, message: str) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(message % {"label": label, "low": low, "high": high}, code=code)
    return value


def _flag(value, label, *, code: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InvalidInput(_("%(label)s须为“是”或“否”。") % {"label": label}, code=code)


def _sessions(values: dict) -> list[tuple[time, time]]:
    """Check the hours in `values` (times already parsed); returns the sessions in order."""
    morning = (values["morning_opens"], values["morning_closes"])
    if morning[0] >= morning[1]:
        raise InvalidInput(_("上午结束时间须晚于上午开始时间。"), code="morning_order")
    opens, closes = values["afternoon_opens"], values["afternoon_closes"]
    if (opens is None) != (closes is None):
        raise InvalidInput(
            _("下午开始和结束时间须同时填写；下午不办公的，两项都留空。"),
            code="afternoon_incomplete",
        )
    if opens is None:
        return [morning]
    if opens < morning[1]:
        raise InvalidInput(_("下午开始时间不能早于上午结束时间。"), code="afternoon_order")
    if opens >= closes:
        raise InvalidInput(_("下午结束时间须晚于下午开始时间。"), code="afternoon_order")
    return [morning, (opens, closes)]


def _fits(sessions, slot_minutes: int) -> bool:
    return any(minutes_of(b) - minutes_of(a) >= slot_minutes for a, b in sessions)


def _center_values(agency, raw: dict) -> dict:
    values = {
        "name": text(raw.get("name"), _("名称"), limit=100, code="name"),
        "address": text(raw.get("address"), _("地址"), limit=200, code="address"),
        "phone": text(raw.get("phone"), _("咨询电话"), limit=40, code="phone", required=False),
        "morning_opens": _time(raw.get("morning_opens"), _("上午开始时间"), code="morning"),
        "morning_closes": _time(raw.get("morning_closes"), _("上午结束时间"), code="morning"),
        "afternoon_opens": _time(
            raw.get("afternoon_opens"), _("下午开始时间"), code="afternoon", required=False
        ),
        "afternoon_closes": _time(
            raw.get("afternoon_closes"), _("下午结束时间"), code="afternoon", required=False
        ),
        "booking_days_ahead": _whole(
            raw.get("booking_days_ahead"),
            _("可预约天数"),
            low=1,
            high=MAX_DAYS_AHEAD,
            code="booking_days_ahead_invalid",
            message=_("%(label)s须为 %(low)d 至 %(high)d 之间的整数（工作日）。"),
        ),
        "active": _flag(raw.get("active"), _("在用"), code="active_invalid"),
    }
    if values["phone"] and not _PHONE.fullmatch(values["phone"]):
        raise InvalidInput(
            _("咨询电话格式不正确，请填写数字，可用“-”分隔区号。"), code="phone_invalid"
        )
    subdistrict = raw.get("subdistrict")
    if subdistrict is not None and (
        not isinstance(subdistrict, Subdistrict) or subdistrict.agency_id != agency.pk
    ):
        raise InvalidInput(_("请选择本机关的街道/镇。"), code="subdistrict_invalid")
    values["subdistrict"] = subdistrict
    _sessions(values)
    return values


def _name_taken(agency, name: str, *, exclude: int | None = None) -> bool:
    others = ServiceCenter.objects.filter(agency=agency, name=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.exists()


def _duplicate_name(name: str) -> InvalidInput:
    return InvalidInput(_("本机关已有名为“%(n)s”的服务中心。") % {"n": name}, code="name_taken")


def _save(record, error: InvalidInput) -> None:
    """Save; a unique constraint that another request won in the meantime is `error`."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise error from None


def _center_event(verb: str, *, actor, center: ServiceCenter, request, **data) -> None:
    audit.record(
        f"services.centers.{verb}",
        actor=actor,
        agency=center.agency,
        target=center,
        request=request,
        data=data,
    )


def _hours(values) -> list[str]:
    return [f"{a:%H:%M}-{b:%H:%M}" for a, b in _sessions(values)]


# --- Centers ------------------------------------------------------------------------------------


def center_create(
    *,
    actor,
    agency,
    name,
    address,
    morning_opens,
    morning_closes,
    afternoon_opens=None,
    afternoon_closes=None,
    subdistrict=None,
    phone="",
    booking_days_ahead=10,
    active=True,
    request=None,
) -> ServiceCenter:
    """A new service center of `agency` (legal office)."""
    _require_office(actor, agency.pk)
    values = _center_values(
        agency,
        {
            "name": name,
            "subdistrict": subdistrict,
            "address": address,
            "phone": phone,
            "morning_opens": morning_opens,
            "morning_closes": morning_closes,
            "afternoon_opens": afternoon_opens,
            "afternoon_closes": afternoon_closes,
            "booking_days_ahead": booking_days_ahead,
            "active": active,
        },
    )
    if _name_taken(agency, values["name"]):
        raise _duplicate_name(values["name"])
    center = ServiceCenter(agency=agency, **values)
    with transaction.atomic():
        _save(center, _duplicate_name(values["name"]))
        _center_event(
            "create",
            actor=actor,
            center=center,
            request=request,
            name=center.name,
            hours=_hours(values),
            booking_days_ahead=center.booking_days_ahead,
            active=center.active,
        )
    return center


def center_update(*, actor, center: ServiceCenter, request=None, **fields) -> ServiceCenter:
    """Change a center: only the fields given (any of CENTER_FIELDS)."""
    unknown = sorted(set(fields) - set(CENTER_FIELDS))
    if unknown:
        raise InvalidInput(
            _("不能修改的字段：%(f)s。") % {"f": "、".join(unknown)}, code="unknown_field"
        )
    _require_office(actor, center.agency_id)
    with transaction.atomic():
        locked = (
            ServiceCenter.objects.select_for_update(of=("self",))
            .select_related("agency", "subdistrict")
            .filter(pk=center.pk)
            .first()
        )
        if locked is None:
            raise Conflict(_("该服务中心已不存在。"), code="state_changed")
        current = {name: getattr(locked, name) for name in CENTER_FIELDS}
        values = _center_values(locked.agency, {**current, **fields})
        changed = [name for name in CENTER_FIELDS if values[name] != current[name]]
        if not changed:
            return locked
        if values["name"] != current["name"] and _name_taken(
            locked.agency, values["name"], exclude=locked.pk
        ):
            raise _duplicate_name(values["name"])
        sessions = _sessions(values)
        for center_item in locked.items.filter(bookable=True).select_related("item"):
            if not _fits(sessions, center_item.slot_minutes):
                raise InvalidInput(
                    _(
                        "调整后的办公时间容纳不下“%(item)s”的一个预约时段（%(n)d 分钟），"
                        "请先调整该事项的时段长度。"
                    )
                    % {"item": center_item.item.name, "n": center_item.slot_minutes},
                    code="hours_too_short",
                )
        for name in changed:
            setattr(locked, name, values[name])
        _save(locked, _duplicate_name(values["name"]))
        _center_event(
            "update",
            actor=actor,
            center=locked,
            request=request,
            fields=changed,
            hours=_hours(values),
            booking_days_ahead=locked.booking_days_ahead,
            active=locked.active,
        )
    return locked


# --- Items of a center --------------------------------------------------------------------------


def _item_values(center: ServiceCenter, raw: dict) -> dict:
    values = {
        "bookable": _flag(raw.get("bookable"), _("可网上预约"), code="bookable_invalid"),
        "slot_minutes": _whole(
            raw.get("slot_minutes"),
            _("每个时段"),
            low=MIN_SLOT,
            high=MAX_SLOT,
            code="slot_minutes_invalid",
            message=_("%(label)s须为 %(low)d 至 %(high)d 之间的整数（分钟）。"),
        ),
        "capacity": _whole(
            raw.get("capacity"),
            _("每个时段可预约人数"),
            low=MIN_CAPACITY,
            high=MAX_CAPACITY,
            code="capacity_invalid",
            message=_("%(label)s须为 %(low)d 至 %(high)d 之间的整数。"),
        ),
    }
    if values["bookable"] and not _fits(center.sessions(), values["slot_minutes"]):
        raise InvalidInput(
            _("每个时段 %(n)d 分钟，超过了上午和下午任一办公时段的长度。")
            % {"n": values["slot_minutes"]},
            code="slot_too_long",
        )
    return values


def center_item_add(
    *,
    actor,
    center: ServiceCenter,
    item: ServiceItem,
    bookable=True,
    slot_minutes=30,
    capacity=5,
    request=None,
) -> CenterItem:
    """The center takes applications for `item` (legal office); bookable items offer slots."""
    _require_office(actor, center.agency_id)
    item = (
        ServiceItem.objects.filter(pk=item.pk, agency_id=center.agency_id, active=True).first()
        if isinstance(item, ServiceItem)
        else None
    )
    if item is None:
        raise InvalidInput(_("请选择本机关在用的服务事项。"), code="item_invalid")
    values = _item_values(
        center, {"bookable": bookable, "slot_minutes": slot_minutes, "capacity": capacity}
    )
    taken = InvalidInput(
        _("该服务中心已受理“%(item)s”，请修改原有设置。") % {"item": item.name},
        code="item_taken",
    )
    with transaction.atomic():
        locked = ServiceCenter.objects.select_for_update().filter(pk=center.pk).first()
        if locked is None:
            raise Conflict(_("该服务中心已不存在。"), code="state_changed")
        if CenterItem.objects.filter(center=locked, item=item).exists():
            raise taken
        center_item = CenterItem(agency_id=locked.agency_id, center=locked, item=item, **values)
        _save(center_item, taken)
        _center_event(
            "item_add",
            actor=actor,
            center=locked,
            request=request,
            item=item.pk,
            item_name=item.name,
            **values,
        )
    return center_item


def center_item_update(
    *, actor, center_item: CenterItem, request=None, on=None, **fields
) -> CenterItem:
    """Change an item's booking settings: only the fields given (any of ITEM_FIELDS).

    A new number of places applies to the item's slots of `on` (today) and later; a slot that
    holds more bookings than that keeps them and takes no more.
    """
    unknown = sorted(set(fields) - set(ITEM_FIELDS))
    if unknown:
        raise InvalidInput(
            _("不能修改的字段：%(f)s。") % {"f": "、".join(unknown)}, code="unknown_field"
        )
    _require_office(actor, center_item.agency_id)
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = (
            CenterItem.objects.select_for_update(of=("self",))
            .select_related("center", "center__agency", "item")
            .filter(pk=center_item.pk)
            .first()
        )
        if locked is None:
            raise Conflict(_("该受理事项已不存在。"), code="state_changed")
        current = {name: getattr(locked, name) for name in ITEM_FIELDS}
        values = _item_values(locked.center, {**current, **fields})
        changed = [name for name in ITEM_FIELDS if values[name] != current[name]]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, values[name])
        locked.save(update_fields=changed)
        resized = 0
        if "capacity" in changed:
            resized = AppointmentSlot.objects.filter(
                center_id=locked.center_id, item_id=locked.item_id, day__gte=on
            ).update(capacity=Greatest(F("booked"), Value(locked.capacity)))
        _center_event(
            "item_update",
            actor=actor,
            center=locked.center,
            request=request,
            item=locked.item_id,
            item_name=locked.item.name,
            fields=changed,
            slots_resized=resized,
            **values,
        )
    return locked
