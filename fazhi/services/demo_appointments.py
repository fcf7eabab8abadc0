"""Demo service centers and the mechanics of demo appointments (网上预约), through the services.

Centers: one community affairs service center (社区事务受理服务中心) per demo subdistrict, each
taking the relief and elderly items (最低生活保障, 特困人员救助供养 and 高龄津贴 bookable in
30-minute slots with a few places; 临时救助 at the counter only, as urgent applications are not
booked), and the bureau's window at the district government service center (the place every
published guide names), which takes the district-level items (marriage registration bookable).
All open in a morning and an afternoon session on the working days of the calendar. Created by
the legal office (`center_create`, `center_item_add`); idempotent by name: a center of that
name is reused, an item it already takes is left as it is.

Appointments are booked, checked in and cancelled through `services.appointments` with the
services' own `now=` (the portal never passes it), so a past day is booked before its slot,
checked in on the day and cancelled before the slot starts, exactly as the checks require. The
no-shows are left booked and marked by the no-show sweep, as in production.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fazhi.core.models import Subdistrict
from fazhi.services.models import CenterItem, ServiceCenter, ServiceItem
from fazhi.services.models.appointments import moment
from fazhi.services.services import appointments as appointment_services
from fazhi.services.services import centers as center_services

DISTRICT_CENTER = "示例区政务服务中心民政窗口"


@dataclass(frozen=True)
class CenterSpec:
    name: str
    subdistrict: str | None
    address: str
    phone: str
    hours: tuple[str, str, str, str]  # morning opens, closes, afternoon opens, closes
    # (item name, bookable, slot minutes, places per slot)
    items: tuple[tuple[str, bool, int, int], ...]


STREET_ITEMS = (
    ("最低生活保障申请", True, 30, 3),
    ("特困人员救助供养申请", True, 30, 2),
    ("高龄津贴申领", True, 30, 3),
    ("临时救助申请", False, 30, 3),
)
DISTRICT_ITEMS = (
    ("结婚登记", True, 30, 4),
    ("离婚登记", True, 30, 2),
    ("补领婚姻登记证", False, 30, 3),
    ("收养登记", False, 30, 3),
    ("社会团体成立登记", False, 30, 3),
    ("民办非企业单位成立登记", False, 30, 3),
    ("养老机构备案", False, 30, 3),
)
CENTERS = (
    CenterSpec(
        "东湖街道社区事务受理服务中心", "东湖街道", "示例区东湖路 88 号", "021-58880101",
        ("09:00", "11:30", "13:30", "17:00"), STREET_ITEMS,
    ),
    CenterSpec(
        "西山街道社区事务受理服务中心", "西山街道", "示例区西山路 66 号", "021-58880202",
        ("09:00", "11:30", "13:30", "17:00"), STREET_ITEMS,
    ),
    CenterSpec(
        "南岭镇社区事务受理服务中心", "南岭镇", "示例区南岭镇南岭路 18 号", "021-58880303",
        ("08:30", "11:30", "13:00", "16:30"), STREET_ITEMS,
    ),
    CenterSpec(
        "北塘镇社区事务受理服务中心", "北塘镇", "示例区北塘镇荷花路 2 号", "021-58880404",
        ("08:30", "11:30", "13:00", "16:30"), STREET_ITEMS,
    ),
    CenterSpec(
        DISTRICT_CENTER, None, "示例区示例路 100 号政务服务中心二楼", "021-58880000",
        ("09:00", "12:00", "13:30", "17:00"), DISTRICT_ITEMS,
    ),
)  # fmt: skip


def build_centers(agency, officer) -> tuple[dict[str, ServiceCenter], int]:
    """The demo centers and their items (created by the legal office when missing); returns
    the centers by name and how many records (centers and center items) were created."""
    created = 0
    subdistricts = {s.name: s for s in Subdistrict.objects.filter(agency=agency)}
    items = {i.name: i for i in ServiceItem.objects.filter(agency=agency, active=True)}
    found: dict[str, ServiceCenter] = {}
    for spec in CENTERS:
        center = ServiceCenter.objects.filter(agency=agency, name=spec.name).first()
        if center is None:
            morning_opens, morning_closes, afternoon_opens, afternoon_closes = spec.hours
            center = center_services.center_create(
                actor=officer,
                agency=agency,
                name=spec.name,
                address=spec.address,
                phone=spec.phone,
                subdistrict=subdistricts.get(spec.subdistrict) if spec.subdistrict else None,
                morning_opens=morning_opens,
                morning_closes=morning_closes,
                afternoon_opens=afternoon_opens,
                afternoon_closes=afternoon_closes,
            )
            created += 1
        taken = set(CenterItem.objects.filter(center=center).values_list("item__name", flat=True))
        for name, bookable, minutes, capacity in spec.items:
            item = items.get(name)
            if item is None or name in taken:
                continue
            center_services.center_item_add(
                actor=officer,
                center=center,
                item=item,
                bookable=bookable,
                slot_minutes=minutes,
                capacity=capacity,
            )
            created += 1
        found[spec.name] = center
    return found, created


class Slots:
    """The places of the demo's bookings, counted as they are made, so a booking is only
    tried in a slot with a place left (the service would refuse a full one with a Conflict)."""

    def __init__(self, agency) -> None:
        rows = CenterItem.objects.filter(agency=agency, bookable=True).select_related(
            "center", "item"
        )
        self._items = {(row.center.name, row.item.name): row for row in rows}
        self._taken: dict[tuple[int, date, time], int] = {}

    def center_item(self, center: str, item: str) -> CenterItem | None:
        return self._items.get((center, item))

    def bookable(self, center: str, item: str) -> bool:
        return (center, item) in self._items

    def pick(self, center_item: CenterItem, day: date, rng: random.Random) -> time | None:
        """A start time of the day with a place left (a random one), or None when full."""
        starts = [start for start, _end in center_item.slot_times()]
        rng.shuffle(starts)
        for start in starts:
            if self._taken.get((center_item.pk, day, start), 0) < center_item.capacity:
                return start
        return None

    def take(self, center_item: CenterItem, day: date, start: time) -> None:
        key = (center_item.pk, day, start)
        self._taken[key] = self._taken.get(key, 0) + 1


def book(center_item: CenterItem, *, day: date, start: time, person, at: datetime):
    """A citizen's booking made at `at` (before the slot, within the booking window)."""
    return appointment_services.appointment_book(
        center=center_item.center,
        item=center_item.item,
        day=day,
        starts_at=start,
        applicant_name=person.name,
        resident_id=person.resident_id,
        phone=person.mobile,
        now=at,
    )


def check_in(actor, appointment, *, at: datetime):
    return appointment_services.appointment_check_in(actor=actor, appointment=appointment, now=at)


def cancel(appointment, *, at: datetime):
    return appointment_services.appointment_cancel(appointment=appointment, now=at)


def evening(day: date, minutes: int = 0) -> datetime:
    """20:00 (plus `minutes`) of a day: when people book online after work."""
    return moment(day, time(20, 0)) + timedelta(minutes=minutes)
