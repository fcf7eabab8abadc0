"""Online appointments (网上预约): slots of a center's item on a working day, and bookings.

An `AppointmentSlot` row is made the first time someone books it (the possible slots follow
from the center's hours, the item's slot length and the calendar). Its `booked` counter is
raised by a conditional UPDATE (`booked < capacity`) inside the booking's transaction, and a
CHECK constraint holds `booked <= capacity` in the database as well: however many requests
arrive at once, no slot ever has more bookings than places. A cancelled booking gives its place
back. The appointment copies its day and times so "one person cannot hold two overlapping
slots" is one query over the person's lookup hash.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.identity.fields import EncryptedIdentifierField, LookupHashField
from fazhi.core.identity.kinds import Kind
from fazhi.core.models import Agency


class AppointmentSlot(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey(
        "services.ServiceCenter", on_delete=models.PROTECT, related_name="slots"
    )
    item = models.ForeignKey("services.ServiceItem", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    booked = models.PositiveSmallIntegerField(_("已预约人数"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        ordering = ["day", "starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "item", "day", "starts_at"], name="services_slot_unique"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="services_slot_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="services_slot_times"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


def moment(day: date, at: time) -> datetime:
    """A local day and time as an aware datetime (the site's time zone, Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


class Appointment(models.Model):
    class State(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")
        CHECKED_IN = "checked_in", _("已签到")
        NO_SHOW = "no_show", _("未到")

    # States that hold a place in the slot.
    HOLDING_STATES = (State.BOOKED, State.CHECKED_IN)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # A random number the citizen keeps (not a sequence: it must not reveal or invite guesses).
    booking_number = models.CharField(_("预约号"), max_length=20)
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    center = models.ForeignKey("services.ServiceCenter", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("services.ServiceItem", on_delete=models.PROTECT, related_name="+")
    # Copied from the slot: the day list and the overlap check read them without a join.
    day = models.DateField(_("预约日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    applicant_name = models.CharField(_("姓名"), max_length=50)
    resident_id = EncryptedIdentifierField(_("公民身份号码"), kind=Kind.RESIDENT_ID)
    resident_id_hash = LookupHashField(source="resident_id")
    phone = EncryptedIdentifierField(_("手机号码"), kind=Kind.MOBILE)
    phone_hash = LookupHashField(source="phone")
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.BOOKED)
    booked_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    # Set by the portal form's one-time token: a double submit makes one booking.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    no_show_recorded_at = models.DateTimeField(_("记录未到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("网上预约")
        verbose_name_plural = _("网上预约")
        ordering = ["day", "starts_at", "pk"]
        indexes = [
            models.Index(fields=["agency", "center", "day"], name="services_appt_day"),
            models.Index(fields=["resident_id_hash", "day"], name="services_appt_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "booking_number"], name="services_appt_number"
            ),
            models.CheckConstraint(
                condition=~Q(state="checked_in") | Q(checked_in_at__isnull=False),
                name="services_appt_checked_in_at",
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | Q(cancelled_at__isnull=False),
                name="services_appt_cancelled_at",
            ),
        ]

    def __str__(self) -> str:
        return self.booking_number

    @property
    def starts(self) -> datetime:
        return moment(self.day, self.starts_at)

    @property
    def ends(self) -> datetime:
        return moment(self.day, self.ends_at)
