"""Cases (办件): one application for a service item, from receipt to delivery of the result.

States (the issue's words): 已收件 → 已受理 / 不予受理 → 审查中 (补正 once, with the list of
what is missing; the clocks stop while the applicant supplements) → 准予 / 不予 → 已办结 →
已送达. Both clocks start on the day of acceptance (the start day is not counted) and run on the
working-day calendar: `promised_due_on` from the guide's promised time limit, `statutory_due_on`
from the statutory one; the limits are copied at registration so a new guide never moves the
deadline of a case already running. `power_kind` is copied from the item's power for the same
reason: the report counts decisions by kind per year over the cases themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from fazhi.core.identity.fields import EncryptedIdentifierField, LookupHashField
from fazhi.core.identity.kinds import Kind
from fazhi.core.models import Agency
from fazhi.core.workflow import WorkflowModel
from fazhi.services.models.powers import PowerKind

HANDLE_CASE = "services.handle_case"
DECIDE_CASE = "services.decide_case"


class CaseChannel(models.TextChoices):
    COUNTER = "counter", _("窗口收件")
    APPOINTMENT = "appointment", _("预约办理")
    ONLINE = "online", _("一网通办")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人或其他组织")


class ServiceCase(WorkflowModel):
    class State(models.TextChoices):
        RECEIVED = "received", _("已收件")
        ACCEPTED = "accepted", _("已受理")
        NOT_ACCEPTED = "not_accepted", _("不予受理")
        REVIEWING = "reviewing", _("审查中")
        SUPPLEMENT = "supplement", _("待补正")
        GRANTED = "granted", _("准予")
        DENIED = "denied", _("不予")
        CONCLUDED = "concluded", _("已办结")
        DELIVERED = "delivered", _("已送达")

    # States in which the clocks run or stand (the case is not yet decided).
    OPEN_STATES = (State.RECEIVED, State.ACCEPTED, State.REVIEWING, State.SUPPLEMENT)
    DONE_STATES = (State.NOT_ACCEPTED, State.CONCLUDED, State.DELIVERED)

    class Decision(models.TextChoices):
        GRANTED = "granted", _("准予")
        DENIED = "denied", _("不予")
        NOT_ACCEPTED = "not_accepted", _("不予受理")

    class Overdue(models.IntegerChoices):
        """How far the sweep has flagged it: past the promised limit, then the statutory one."""

        NONE = 0, _("未超期")
        PROMISED = 1, _("超承诺时限")
        STATUTORY = 2, _("超法定时限")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField(_("办件编号"), max_length=40)
    item = models.ForeignKey(
        "services.ServiceItem",
        verbose_name=_("服务事项"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # Copied from the item at registration: worklists, flags and figures need no join.
    department = models.ForeignKey(
        "core.Department", verbose_name=_("责任处室"), on_delete=models.PROTECT, related_name="+"
    )
    power_kind = models.CharField(_("事项类型"), max_length=20, choices=PowerKind.choices)
    center = models.ForeignKey(
        "services.ServiceCenter",
        verbose_name=_("受理中心"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    channel = models.CharField(_("收件渠道"), max_length=20, choices=CaseChannel.choices)
    appointment = models.OneToOneField(
        "services.Appointment",
        verbose_name=_("预约"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
    )
    # The one-stop platform's own id of the application: registering it twice makes one case.
    external_ref = models.CharField(_("一网通办申请编号"), max_length=64, blank=True)
    applicant_kind = models.CharField(_("申请人类型"), max_length=20, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    resident_id = EncryptedIdentifierField(_("公民身份号码"), kind=Kind.RESIDENT_ID, blank=True)
    resident_id_hash = LookupHashField(source="resident_id")
    credit_code = EncryptedIdentifierField(_("统一社会信用代码"), kind=Kind.CREDIT_CODE, blank=True)
    credit_code_hash = LookupHashField(source="credit_code")
    phone = EncryptedIdentifierField(_("联系电话"), kind=Kind.PHONE, blank=True)
    phone_hash = LookupHashField(source="phone")
    summary = models.CharField(_("申请事项摘要"), max_length=200, blank=True)
    state = FSMField(_("状态"), default=State.RECEIVED, choices=State.choices, protected=True)
    received_on = models.DateField(_("收件日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    # The time limits (working days) copied from the published guide at registration.
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), null=True, blank=True)
    statutory_days = models.PositiveSmallIntegerField(
        _("法定时限（工作日）"), null=True, blank=True
    )
    # Derived from acceptance, the limits and the 补正 pause at every change (stored for lists).
    promised_due_on = models.DateField(_("承诺办结期限"), null=True, blank=True)
    statutory_due_on = models.DateField(_("法定办结期限"), null=True, blank=True)
    # The one 补正: what is missing, when asked, when supplied.
    supplement_items = models.JSONField(_("需补正的材料"), default=list, blank=True)
    supplement_requested_on = models.DateField(_("补正告知日期"), null=True, blank=True)
    supplement_received_on = models.DateField(_("补正材料收到日期"), null=True, blank=True)
    decision = models.CharField(_("办理结果"), max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("理由"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    # Set when the case concludes (办结 or 不予受理): within each limit or not.
    on_time_promised = models.BooleanField(_("承诺时限内办结"), null=True, blank=True)
    on_time_statutory = models.BooleanField(_("法定时限内办结"), null=True, blank=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    delivery_method = models.CharField(_("送达方式"), max_length=100, blank=True)
    overdue = models.PositiveSmallIntegerField(
        _("超期标记"), choices=Overdue.choices, default=Overdue.NONE
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_on", "-pk"]
        indexes = [
            # The staff list: newest first, by agency, filtered by state or department.
            models.Index(fields=["agency", "-received_on", "-id"], name="services_case_list"),
            models.Index(fields=["agency", "state", "promised_due_on"], name="services_case_due"),
            models.Index(
                fields=["agency", "department", "-received_on"], name="services_case_dept"
            ),
            models.Index(fields=["agency", "concluded_on"], name="services_case_concluded"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agency", "case_number"], name="services_case_number"),
            models.UniqueConstraint(
                fields=["agency", "external_ref"],
                condition=~Q(external_ref=""),
                name="services_case_external_ref",
            ),
            # A person is named by an ID number, an organisation by its credit code.
            models.CheckConstraint(
                condition=(Q(applicant_kind="person") & ~Q(resident_id=""))
                | (Q(applicant_kind="organisation") & ~Q(credit_code="")),
                name="services_case_applicant_identified",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["received", "accepted", "reviewing", "supplement"])
                | ~Q(decision=""),
                name="services_case_decided_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number
