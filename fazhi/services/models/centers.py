"""Community affairs service centers (社区事务受理服务中心) and what each one takes.

A `ServiceCenter` belongs to a subdistrict (街道/镇) and is open on the working days of the
calendar, in a morning and an optional afternoon session. A `CenterItem` says that the center
takes applications for one service item and, when `bookable`, offers appointment slots of
`slot_minutes` with `capacity` places each (网上预约).
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import Agency


class ServiceCenter(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="service_centers")
    subdistrict = models.ForeignKey(
        "core.Subdistrict",
        verbose_name=_("街道/镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    # Opening hours on every working day of the calendar: a morning session and an optional
    # afternoon session (no afternoon: both blank).
    morning_opens = models.TimeField(_("上午开始"))
    morning_closes = models.TimeField(_("上午结束"))
    afternoon_opens = models.TimeField(_("下午开始"), null=True, blank=True)
    afternoon_closes = models.TimeField(_("下午结束"), null=True, blank=True)
    # How many working days ahead citizens may book (the first bookable day is the next one).
    booking_days_ahead = models.PositiveSmallIntegerField(_("可预约天数（工作日）"), default=10)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("社区事务受理服务中心")
        verbose_name_plural = _("社区事务受理服务中心")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="services_center_name"),
            models.CheckConstraint(
                condition=Q(morning_opens__lt=F("morning_closes")),
                name="services_center_morning",
            ),
            models.CheckConstraint(
                condition=(Q(afternoon_opens__isnull=True) & Q(afternoon_closes__isnull=True))
                | (
                    Q(afternoon_opens__gte=F("morning_closes"))
                    & Q(afternoon_opens__lt=F("afternoon_closes"))
                ),
                name="services_center_afternoon",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def sessions(self) -> list[tuple[time, time]]:
        """The sessions of a working day, in order: the morning, then the afternoon if any."""
        found = [(self.morning_opens, self.morning_closes)]
        if self.afternoon_opens is not None and self.afternoon_closes is not None:
            found.append((self.afternoon_opens, self.afternoon_closes))
        return found


def minutes_of(value: time) -> int:
    """Minutes since midnight (seconds are never stored: the services refuse them)."""
    return value.hour * 60 + value.minute


def time_of(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def slot_times(sessions, slot_minutes: int) -> list[tuple[time, time]]:
    """The slots of a working day: each session cut into `slot_minutes` from its opening; the
    remainder of a session shorter than a slot is not offered (a slot never runs past the end
    of its session)."""
    found: list[tuple[time, time]] = []
    if slot_minutes <= 0:
        return found
    for opens, closes in sessions:
        start, end = minutes_of(opens), minutes_of(closes)
        while start + slot_minutes <= end:
            found.append((time_of(start), time_of(start + slot_minutes)))
            start += slot_minutes
    return found


class CenterItem(models.Model):
    """A service item taken at a center; bookable items have slots of a length and capacity."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        "services.ServiceItem", on_delete=models.PROTECT, related_name="center_items"
    )
    bookable = models.BooleanField(_("可网上预约"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(_("每个时段（分钟）"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每个时段可预约人数"), default=5)

    class Meta:
        verbose_name = _("中心受理事项")
        ordering = ["center", "item__power_code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["center", "item"], name="services_center_item"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=240),
                name="services_center_item_slot",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=500),
                name="services_center_item_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center} · {self.item}"

    def slot_times(self) -> list[tuple[time, time]]:
        return slot_times(self.center.sessions(), self.slot_minutes)
