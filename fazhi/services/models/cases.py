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

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from fazhi.core.calendar import Clock, Pause
from fazhi.core.errors import InvalidInput
from fazhi.core.identity.fields import EncryptedIdentifierField, LookupHashField
from fazhi.core.identity.kinds import Kind
from fazhi.core.models import Agency
from fazhi.core.workflow import Action, Guard, Workflow, WorkflowModel
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
            # The list's search by applicant: exact name or its beginning (LIKE 'x%'), on
            # PostgreSQL whatever the database collation (pattern ops); SQLite ignores them.
            models.Index(
                fields=["agency", "applicant_name"],
                name="services_case_applicant",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
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

    # --- derived ----------------------------------------------------------------------------

    RUNNING_STATES = (
        State.ACCEPTED,
        State.REVIEWING,
        State.SUPPLEMENT,
        State.GRANTED,
        State.DENIED,
    )
    """The clocks run (or stand, during 补正) from acceptance until the case concludes."""

    @property
    def delivery_method_label(self) -> str:
        return str(DELIVERY_METHODS.get(self.delivery_method, self.delivery_method))

    @property
    def is_closed(self) -> bool:
        return self.state in self.DONE_STATES

    @property
    def is_running(self) -> bool:
        return self.state in self.RUNNING_STATES

    @property
    def due_on(self) -> date | None:
        """The promised deadline, else the statutory one (the API's `due_on`)."""
        return self.promised_due_on or self.statutory_due_on

    def supplement_pause(self) -> Pause | None:
        """The one 补正: from the day of the notice to the day the materials arrive, both
        not counted (open while the applicant has not supplied them)."""
        if self.supplement_requested_on is None:
            return None
        return Pause(
            self.supplement_requested_on,
            self.supplement_received_on,
            gettext("申请人补正材料"),
        )

    def clock(self, which: str) -> Clock | None:
        """The promised or statutory clock ("promised" / "statutory"); None before acceptance
        or when the guide sets no such limit."""
        days = self.promised_days if which == "promised" else self.statutory_days
        if self.accepted_on is None or not days:
            return None
        pause = self.supplement_pause()
        return Clock(start=self.accepted_on, budget=days, pauses=(pause,) if pause else ())

    def derive_due_dates(self) -> None:
        """Store both deadlines from acceptance, the limits and the 补正 pause (None while the
        pause holds the clock). Called by every transition that changes one of them."""
        for which in ("promised", "statutory"):
            clock = self.clock(which)
            setattr(self, f"{which}_due_on", clock.due_on if clock is not None else None)

    def overdue_level(self, today: date | None = None) -> int:
        """How far past its deadlines a running case is today (0, 1 promised, 2 statutory)."""
        if not self.is_running:
            return self.Overdue.NONE
        today = today or timezone.localdate()
        if self.statutory_due_on is not None and self.statutory_due_on < today:
            return self.Overdue.STATUTORY
        if self.promised_due_on is not None and self.promised_due_on < today:
            return self.Overdue.PROMISED
        return self.Overdue.NONE

    def last_step_on(self) -> date:
        """The day of the latest step taken: a new step may not be dated before it."""
        days = [
            self.received_on,
            self.accepted_on,
            self.supplement_requested_on,
            self.supplement_received_on,
            self.decided_on,
            self.concluded_on,
            self.delivered_on,
        ]
        return max(d for d in days if d is not None)

    # --- transitions: the services validate input, the methods write the fields ------------
    # Each method also checks its date itself, so no path into perform() can store a date in
    # the future or before the previous step.

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.ACCEPTED,
        permission=HANDLE_CASE,
    )
    def accept(self, *, actor, comment="", on=None, **data):
        """受理 (当场受理: the day of receipt); both clocks start, the actor handles the case."""
        self.accepted_on = step_day(on, self.received_on, gettext("收件日期"), gettext("受理日期"))
        self.handler = actor
        self.derive_due_dates()

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.NOT_ACCEPTED,
        permission=HANDLE_CASE,
    )
    def not_accept(self, *, actor, comment="", on=None, **data):
        """不予受理, with the reason (the comment); the case ends here."""
        day = step_day(on, self.received_on, gettext("收件日期"), gettext("不予受理日期"))
        self.decision = self.Decision.NOT_ACCEPTED
        self.decision_reason = comment.strip()
        self.decided_on = day
        self.concluded_on = day
        self.handler = self.handler or actor

    @transition(field=state, source=State.ACCEPTED, target=State.REVIEWING, permission=HANDLE_CASE)
    def start_review(self, *, actor, comment="", **data):
        """开始审查."""

    @transition(
        field=state,
        source=[State.ACCEPTED, State.REVIEWING],
        target=State.SUPPLEMENT,
        permission=HANDLE_CASE,
        conditions=[
            Guard(
                lambda case: case.supplement_requested_on is None,
                _("补正只能告知一次，本件已告知过补正。"),
                "supplement_once",
            )
        ],
    )
    def request_supplement(self, *, actor, comment="", on=None, items=(), **data):
        """一次性告知补正 with the list of what is missing; both clocks stop."""
        self.supplement_items = supplement_list(items)
        self.supplement_requested_on = step_day(
            on, self.accepted_on, gettext("受理日期"), gettext("补正告知日期")
        )
        self.derive_due_dates()

    @transition(
        field=state, source=State.SUPPLEMENT, target=State.REVIEWING, permission=HANDLE_CASE
    )
    def receive_supplement(self, *, actor, comment="", on=None, **data):
        """补正材料收到: the clocks resume; the deadlines move by the paused working days."""
        self.supplement_received_on = step_day(
            on, self.supplement_requested_on, gettext("补正告知日期"), gettext("补正材料收到日期")
        )
        self.derive_due_dates()
        # The flag follows the moved deadlines (the notices already sent stay on record).
        self.overdue = min(self.overdue, self.overdue_level())

    @transition(field=state, source=State.REVIEWING, target=State.GRANTED, permission=DECIDE_CASE)
    def grant(self, *, actor, comment="", on=None, **data):
        """准予 (by the head of the case's department or the legal office)."""
        self._decide(self.Decision.GRANTED, comment, on)

    @transition(field=state, source=State.REVIEWING, target=State.DENIED, permission=DECIDE_CASE)
    def deny(self, *, actor, comment="", on=None, **data):
        """不予, with the reason (the comment, required)."""
        self._decide(self.Decision.DENIED, comment, on)

    def _decide(self, decision: str, reason: str, on) -> None:
        previous = max(d for d in (self.accepted_on, self.supplement_received_on) if d)
        label = gettext("补正材料收到日期") if self.supplement_received_on else gettext("受理日期")
        self.decided_on = step_day(on, previous, label, gettext("决定日期"))
        self.decision = decision
        self.decision_reason = (reason or "").strip()

    @transition(
        field=state,
        source=[State.GRANTED, State.DENIED],
        target=State.CONCLUDED,
        permission=HANDLE_CASE,
    )
    def conclude(self, *, actor, comment="", on=None, **data):
        """办结: whether it was within each limit is fixed now and never changes."""
        self.concluded_on = step_day(on, self.decided_on, gettext("决定日期"), gettext("办结日期"))
        self.on_time_promised = (
            None if self.promised_due_on is None else self.concluded_on <= self.promised_due_on
        )
        self.on_time_statutory = (
            None if self.statutory_due_on is None else self.concluded_on <= self.statutory_due_on
        )

    @transition(field=state, source=State.CONCLUDED, target=State.DELIVERED, permission=HANDLE_CASE)
    def deliver(self, *, actor, comment="", on=None, delivery_method="", **data):
        """送达 the result: how, and when (not before the conclusion)."""
        self.delivery_method = clean_delivery_method(delivery_method)
        self.delivered_on = step_day(
            on, self.concluded_on, gettext("办结日期"), gettext("送达日期")
        )

    workflow = Workflow(
        actions=[
            Action("accept", _("受理")),
            Action("not_accept", _("不予受理"), comment_required=True, kind="return"),
            Action("start_review", _("开始审查")),
            Action("request_supplement", _("一次性告知补正")),
            Action("receive_supplement", _("补正材料已收到")),
            Action("grant", _("准予")),
            Action("deny", _("不予"), comment_required=True, kind="return"),
            Action("conclude", _("办结")),
            Action("deliver", _("送达")),
        ],
        state_field="state",
        transferable_states=frozenset(
            {State.ACCEPTED, State.REVIEWING, State.SUPPLEMENT, State.GRANTED, State.DENIED}
        ),
        assignee_field="handler",
        can_receive=lambda case, user: _may_handle(user, case),
        urgeable_states=frozenset(
            {State.RECEIVED, State.ACCEPTED, State.REVIEWING, State.GRANTED, State.DENIED}
        ),
        can_urge=lambda case, user: _may_urge(user, case),
        on_change=lambda case, verb, actor, data: _on_change(case, verb, actor, data),
    )


# How the result of a case reaches the applicant (送达方式).
DELIVERY_METHODS = {
    "counter": _("窗口领取"),
    "post": _("邮寄送达"),
    "electronic": _("电子送达"),
    "notice": _("公告送达"),
}
SUPPLEMENT_MAX_ITEMS = 30
SUPPLEMENT_ITEM_MAX = 200


def step_day(on, previous: date | None, previous_label: str, label: str) -> date:
    """The day of a step: today unless given; never in the future, never before `previous`."""
    today = timezone.localdate()
    day = today if on is None or on == "" else on
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput(
                gettext("%(label)s格式不正确。") % {"label": label}, code="date_invalid"
            ) from None
    if not isinstance(day, date):
        raise InvalidInput(gettext("%(label)s格式不正确。") % {"label": label}, code="date_invalid")
    if day > today:
        raise InvalidInput(
            gettext("%(label)s不能晚于今天。") % {"label": label}, code="date_in_future"
        )
    if previous is not None and day < previous:
        raise InvalidInput(
            gettext("%(label)s不能早于%(previous)s（%(day)s）。")
            % {"label": label, "previous": previous_label, "day": previous.isoformat()},
            code="date_before_previous_step",
        )
    return day


def supplement_list(items) -> list[str]:
    """What the applicant must supply: a non-empty list of short texts."""
    if isinstance(items, str):
        items = items.splitlines()
    cleaned = [str(i).strip() for i in (items or ()) if str(i).strip()]
    if not cleaned:
        raise InvalidInput(
            gettext("请列明需要补正的材料（至少一项）。"), code="supplement_items_required"
        )
    if len(cleaned) > SUPPLEMENT_MAX_ITEMS:
        raise InvalidInput(
            gettext("需补正的材料不能超过 %(n)d 项。") % {"n": SUPPLEMENT_MAX_ITEMS},
            code="supplement_items_too_many",
        )
    for entry in cleaned:
        if len(entry) > SUPPLEMENT_ITEM_MAX or any(ord(c) < 32 for c in entry):
            raise InvalidInput(
                gettext("每项补正材料不能超过 %(n)d 个字，且不能含控制字符。")
                % {"n": SUPPLEMENT_ITEM_MAX},
                code="supplement_item_invalid",
            )
    return cleaned


def clean_delivery_method(method) -> str:
    """The stored 送达方式: the code of one of DELIVERY_METHODS (given as code or label)."""
    text = str(method or "").strip()
    for code, label in DELIVERY_METHODS.items():
        if text in (code, str(label)):
            return code
    raise InvalidInput(
        gettext("请选择送达方式：%(choices)s。")
        % {"choices": "、".join(str(label) for label in DELIVERY_METHODS.values())},
        code="delivery_method_invalid",
    )


def _may_handle(user, case) -> bool:
    from fazhi.services.permissions.cases import may_handle

    return may_handle(user, case)


def _may_urge(user, case) -> bool:
    from fazhi.services.permissions.cases import may_urge

    return may_urge(user, case)


def _on_change(case, verb, actor, data) -> None:
    from fazhi.services.services.cases import case_changed

    case_changed(case, verb, actor, data)
