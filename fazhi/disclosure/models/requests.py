"""Disclosure requests (依申请公开) and the records of their statutory clock.

The request is the workflow record; each step of the procedure leaves its own record (the one
补正, consultations, the one extension, the fee notice, the reply with its parts, what was sent to
the applicant), from which `clock.due_date()` derives the deadline. `outcome` and
`concluded_on` sit on the request itself because table 三 of the annual report counts them
over a whole year of requests: one table, one aggregate.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from fazhi.core.identity.fields import EncryptedIdentifierField, LookupHashField
from fazhi.core.identity.kinds import Kind
from fazhi.core.workflow import Action, Guard, Workflow, WorkflowModel
from fazhi.disclosure import gates
from fazhi.disclosure.choices import (
    ApplicantKind,
    Channel,
    ConsultationAnswer,
    ConsultationKind,
    DeliveryMethod,
    FeeBasis,
    IdDocument,
    InfoForm,
    NoticeDocument,
)
from fazhi.disclosure.outcomes import Outcome, grouped_choices

HANDLE = "disclosure.handle_request"
APPROVE_EXTENSION = "disclosure.approve_extension"


class DisclosureRequest(WorkflowModel):
    """An application for government information, from receipt to reply."""

    class State(models.TextChoices):
        RECEIVED = "received", _("办理中")  # the reply clock runs
        SUPPLEMENT_REQUEST = (
            "supplement_request",
            _("待补正"),
        )  # notice sent; clock restarts on the supplement
        CONSULTATION = "consultation", _("征求意见中")  # third parties asked; clock paused
        FEE = "fee", _("待缴费")  # fee notice sent; processing waits for payment
        REPLIED = "replied", _("已答复")  # outcome decided and the reply written
        CLOSED = "closed", _("已终止")  # a supplement or payment period lapsed

    OPEN_STATES = (State.RECEIVED, State.SUPPLEMENT_REQUEST, State.CONSULTATION, State.FEE)
    DONE_STATES = (State.REPLIED, State.CLOSED)

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    tracking_number = models.CharField(_("申请编号"), max_length=60)
    # Receipt (OGI Art. 31): the channel decides which date is the date of receipt.
    channel = models.CharField(_("申请方式"), max_length=20, choices=Channel.choices)
    arrived_on = models.DateField(_("提交或送达日期"))
    confirmed_on = models.DateField(_("与申请人确认日期"), null=True, blank=True)
    received_on = models.DateField(_("收到申请日期"))
    receipt_rule = models.CharField(_("收到申请日期的认定"), max_length=200)
    channel_note = models.CharField(_("来件说明"), max_length=200, blank=True)
    # The applicant (Art. 29 (一)).
    applicant_kind = models.CharField(_("申请人类型"), max_length=20, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人姓名或名称"), max_length=100)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    id_document = models.CharField(_("身份证明"), max_length=20, choices=IdDocument.choices)
    other_id_type = models.CharField(_("证件名称"), max_length=30, blank=True)
    resident_id = EncryptedIdentifierField(_("公民身份号码"), kind=Kind.RESIDENT_ID, blank=True)
    resident_id_hash = LookupHashField(source="resident_id")
    other_id = EncryptedIdentifierField(_("证件号码"), kind=Kind.OTHER_ID, blank=True)
    other_id_hash = LookupHashField(source="other_id")
    credit_code = EncryptedIdentifierField(_("统一社会信用代码"), kind=Kind.CREDIT_CODE, blank=True)
    credit_code_hash = LookupHashField(source="credit_code")
    phone = EncryptedIdentifierField(_("联系电话"), kind=Kind.PHONE)
    phone_hash = LookupHashField(source="phone")
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postal_code = models.CharField(_("邮政编码"), max_length=6, blank=True)
    # What is asked for (Art. 29 (二)) and how (Art. 29 (三)).
    description = models.TextField(_("所需信息的内容描述"))
    info_reference = models.CharField(_("文件名称、文号等特征"), max_length=200, blank=True)
    info_form = models.CharField(_("提供形式"), max_length=20, choices=InfoForm.choices)
    delivery = models.CharField(_("获取方式"), max_length=20, choices=DeliveryMethod.choices)
    # Set by request_submit from the browser's one-time token: a double submit makes one row.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Art. 35 and the per-item fee: this applicant's items in the natural month of receipt,
    # this one included, and whether that exceeds the free allowance.
    month_ordinal = models.PositiveIntegerField(_("本月第几件"), default=1)
    excessive = models.BooleanField(_("数量、频次明显超过合理范围"), default=False)
    state = FSMField(_("状态"), default=State.RECEIVED, choices=State.choices, protected=True)
    # Derived from the records by clock.due_date() at every change, stored for worklists.
    due_on = models.DateField(_("答复期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("答复期限为暂定"), default=False)
    outcome = models.CharField(_("办理结果"), max_length=40, choices=grouped_choices(), blank=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
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
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["agency", "state", "due_on"], name="disclosure_worklist"),
            models.Index(fields=["agency", "received_on"], name="disclosure_received"),
            models.Index(fields=["agency", "concluded_on"], name="disclosure_concluded"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "tracking_number"], name="disclosure_tracking_unique"
            ),
            # A request is concluded exactly when it has an outcome, never before its receipt.
            models.CheckConstraint(
                condition=(Q(outcome="") & Q(concluded_on__isnull=True))
                | (~Q(outcome="") & Q(concluded_on__gte=F("received_on"))),
                name="disclosure_outcome_with_date",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["replied", "closed"]) | ~Q(outcome=""),
                name="disclosure_done_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["replied", "closed"]) | Q(outcome=""),
                name="disclosure_open_has_no_outcome",
            ),
            models.CheckConstraint(
                condition=Q(received_on__gte=F("arrived_on")), name="disclosure_received_after"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_natural_person(self) -> bool:
        return self.applicant_kind == ApplicantKind.NATURAL_PERSON

    # --- transitions: the services write the stage records, the guards read them ---

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.SUPPLEMENT_REQUEST,
        permission=HANDLE,
        conditions=[
            Guard(
                gates.supplement_request_recorded,
                _("请通过“补正告知”办理。"),
                "supplement_request_required",
            ),
        ],
    )
    def request_supplement_request(self, *, actor, comment="", **data):
        """The one 补正 notice has been sent (the record is written by the service)."""

    @transition(
        field=state,
        source=State.SUPPLEMENT_REQUEST,
        target=State.RECEIVED,
        permission=HANDLE,
        conditions=[
            Guard(gates.supplemented, _("尚未登记补正材料。"), "supplement_required"),
        ],
    )
    def receive_supplement(self, *, actor, comment="", **data):
        """The supplement arrived; the reply clock runs again from its receipt."""

    @transition(
        field=state,
        source=State.SUPPLEMENT_REQUEST,
        target=State.CLOSED,
        permission=HANDLE,
        conditions=[
            Guard(
                gates.supplement_lapsed,
                _("补正期限尚未届满，或申请人已补正。"),
                "supplement_not_lapsed",
            ),
        ],
    )
    def lapse_supplement_request(self, *, actor, comment="", concluded_on=None, **data):
        """No supplement within the period: 其他处理 1 (Art. 30, deemed withdrawn)."""
        self.outcome = Outcome.OTHER_NO_SUPPLEMENT
        self.concluded_on = concluded_on

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.CONSULTATION,
        permission=HANDLE,
        conditions=[
            Guard(gates.consultation_open, _("请通过“征求意见”办理。"), "consultation_required"),
        ],
    )
    def open_consultation(self, *, actor, comment="", **data):
        """Third parties or other agencies are asked; the clock stands still meanwhile."""

    @transition(
        field=state,
        source=State.CONSULTATION,
        target=State.RECEIVED,
        permission=HANDLE,
        conditions=[
            Guard(gates.consultations_closed, _("尚有征求意见未答复。"), "consultation_pending"),
        ],
    )
    def close_consultation(self, *, actor, comment="", **data):
        """Every consultation is answered (or its period ran out); the clock runs again."""

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.FEE,
        permission=HANDLE,
        conditions=[Guard(gates.fee_noticed, _("请通过“收费通知”办理。"), "fee_required")],
    )
    def notify_fee(self, *, actor, comment="", **data):
        """A fee notice was sent; processing waits for payment."""

    @transition(
        field=state,
        source=State.FEE,
        target=State.RECEIVED,
        permission=HANDLE,
        conditions=[Guard(gates.fee_paid, _("尚未登记缴费。"), "payment_required")],
    )
    def receive_payment(self, *, actor, comment="", **data):
        """The fee was paid; processing continues."""

    @transition(
        field=state,
        source=State.FEE,
        target=State.CLOSED,
        permission=HANDLE,
        conditions=[
            Guard(gates.fee_lapsed, _("缴费期限尚未届满，或申请人已缴费。"), "fee_not_lapsed"),
        ],
    )
    def lapse_fee(self, *, actor, comment="", concluded_on=None, **data):
        """Not paid within the period: 其他处理 2."""
        self.outcome = Outcome.OTHER_NO_FEE
        self.concluded_on = concluded_on

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.REPLIED,
        permission=HANDLE,
        conditions=[Guard(gates.replied, _("请通过“答复”办理。"), "reply_required")],
    )
    def reply(self, *, actor, comment="", outcome="", concluded_on=None, **data):
        """The outcome is decided and the reply written (the Reply record by the service)."""
        self.outcome = outcome
        self.concluded_on = concluded_on

    workflow = Workflow(
        actions=[
            Action("request_supplement_request", _("补正告知")),
            Action("receive_supplement", _("登记补正材料")),
            Action("lapse_supplement_request", _("逾期未补正，终止办理")),
            Action("open_consultation", _("征求意见")),
            Action("close_consultation", _("结束征求意见")),
            Action("notify_fee", _("收费通知")),
            Action("receive_payment", _("登记缴费")),
            Action("lapse_fee", _("逾期未缴费，终止办理")),
            Action("reply", _("答复")),
        ],
        assignee_field="handler",
    )


class SupplementRequest(models.Model):
    """The one 补正 notice (Art. 30) and what came of it."""

    request = models.OneToOneField(
        DisclosureRequest, on_delete=models.PROTECT, related_name="supplement_request"
    )
    notice_on = models.DateField(_("补正告知日期"))
    items = models.TextField(_("需要补正的事项"))
    period_workdays = models.PositiveSmallIntegerField(_("补正期限（工作日）"))
    supplement_due_on = models.DateField(_("补正期限"))
    noticed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supplemented_on = models.DateField(_("收到补正材料日期"), null=True, blank=True)
    supplement = models.TextField(_("补正内容"), blank=True)
    # A supplement after the period is accepted only with the applicant's good reason.
    late_reason = models.TextField(_("逾期补正的正当理由"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lapsed_on = models.DateField(_("视为放弃申请日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正")
        verbose_name_plural = _("补正")
        constraints = [
            models.CheckConstraint(
                condition=Q(supplement_due_on__gt=F("notice_on")), name="supplement_request_period"
            ),
            models.CheckConstraint(
                condition=Q(supplemented_on__isnull=True) | Q(supplemented_on__gte=F("notice_on")),
                name="supplement_request_supplement_after_notice",
            ),
            models.CheckConstraint(
                condition=Q(supplemented_on__isnull=True) | Q(lapsed_on__isnull=True),
                name="supplement_request_supplemented_or_lapsed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · 补正"


class ThirdPartyConsultation(models.Model):
    """A written consultation of a third party, co-producer or other agency (Art. 32–34)."""

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.PROTECT, related_name="consultations"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ConsultationKind.choices)
    party = models.CharField(_("征求对象"), max_length=100)
    subject = models.TextField(_("征求意见事项"))
    sent_on = models.DateField(_("发出日期"))
    due_on = models.DateField(_("答复期限"))
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answer = models.CharField(
        _("意见"), max_length=20, choices=ConsultationAnswer.choices, blank=True
    )
    answer_text = models.TextField(_("意见内容"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["request", "sent_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gt=F("sent_on")), name="consultation_period"
            ),
            models.CheckConstraint(
                condition=(Q(answered_on__isnull=True) & Q(answer=""))
                | (Q(answered_on__gte=F("sent_on")) & ~Q(answer="")),
                name="consultation_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.party}"


class Extension(models.Model):
    """The one extension (Art. 33 ¶2): approved by the office head, notified to the applicant."""

    request = models.OneToOneField(
        DisclosureRequest, on_delete=models.PROTECT, related_name="extension"
    )
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("批准日期"))
    notified_on = models.DateField(_("告知申请人日期"))
    due_before = models.DateField(_("延期前答复期限"))
    due_after = models.DateField(_("延期后答复期限"))

    class Meta:
        verbose_name = _("延期答复")
        verbose_name_plural = _("延期答复")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="extension_positive"),
            models.CheckConstraint(
                condition=Q(approved_on__lte=F("due_before")), name="extension_before_due"
            ),
            models.CheckConstraint(
                condition=Q(notified_on__gte=F("approved_on")), name="extension_notified_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · 延长{self.days}个工作日"


class FeeNotice(models.Model):
    """A fee notice (收费通知) and its payment or lapse."""

    request = models.OneToOneField(DisclosureRequest, on_delete=models.PROTECT, related_name="fee")
    basis = models.CharField(_("计收方式"), max_length=20, choices=FeeBasis.choices)
    quantity = models.PositiveIntegerField(_("件数或页数"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    notice_on = models.DateField(_("通知日期"))
    payment_due_on = models.DateField(_("缴费期限"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    receipt_number = models.CharField(_("票据号"), max_length=60, blank=True)
    lapsed_on = models.DateField(_("视为放弃申请日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("收费通知")
        verbose_name_plural = _("收费通知")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_positive"),
            models.CheckConstraint(
                condition=Q(payment_due_on__gt=F("notice_on")), name="fee_period"
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True) | Q(lapsed_on__isnull=True),
                name="fee_paid_or_lapsed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.amount}元"


class Reply(models.Model):
    """The written reply (答复告知书) whose outcome the request carries."""

    request = models.OneToOneField(
        DisclosureRequest, on_delete=models.PROTECT, related_name="reply_record"
    )
    text = models.TextField(_("答复内容"))
    # Art. 36 (五): where the information is held by another agency, its name and contact.
    referral = models.CharField(_("负责公开的机关及联系方式"), max_length=200, blank=True)
    replied_on = models.DateField(_("答复日期"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")

    def __str__(self) -> str:
        return f"{self.request} · 答复"


class ReplyPart(models.Model):
    """One part of a partial disclosure (Art. 37): disclosed, or withheld with its reason."""

    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="parts")
    number = models.PositiveSmallIntegerField(_("序号"))
    description = models.TextField(_("信息内容"))
    disclosed = models.BooleanField(_("予以公开"))
    reason = models.CharField(_("不予公开的理由类别"), max_length=40, blank=True)
    explanation = models.TextField(_("理由说明"), blank=True)

    class Meta:
        verbose_name = _("部分公开的信息")
        verbose_name_plural = _("部分公开的信息")
        ordering = ["reply", "number"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "number"], name="reply_part_number"),
            models.CheckConstraint(
                condition=Q(disclosed=True, reason="")
                | (Q(disclosed=False) & ~Q(reason="") & ~Q(explanation="")),
                name="reply_part_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reply} · {self.number}"


class DeliveryRecord(models.Model):
    """Something sent to the applicant, how, and when it arrived (送达)."""

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.PROTECT, related_name="deliveries"
    )
    document = models.CharField(_("文书"), max_length=20, choices=NoticeDocument.choices)
    method = models.CharField(_("送达方式"), max_length=20, choices=DeliveryMethod.choices)
    sent_on = models.DateField(_("发出日期"))
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    reference = models.CharField(_("邮件单号等"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("送达记录")
        verbose_name_plural = _("送达记录")
        ordering = ["request", "sent_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True) | Q(delivered_on__gte=F("sent_on")),
                name="delivery_after_sending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_document_display()}"


class DisclosureChallenge(models.Model):
    """An administrative reconsideration or lawsuit about disclosure work, for table 四.

    `request` is optional: OGI Art. 50 (三) counts every reconsideration and lawsuit "因政府信息
    公开工作" — one about a reply names its request, but one about proactive disclosure (or an
    application the agency has no record of) has none, and must still be counted; `subject`
    always says what is challenged.
    """

    class Kind(models.TextChoices):
        # The three groups of table 四, in its order.
        RECONSIDERATION = "reconsideration", _("行政复议")
        LITIGATION_DIRECT = "litigation_direct", _("行政诉讼（未经复议直接起诉）")
        LITIGATION_AFTER = "litigation_after", _("行政诉讼（复议后起诉）")

    class Result(models.TextChoices):
        UPHELD = "upheld", _("维持")
        CORRECTED = "corrected", _("纠正")
        OTHER = "other", _("其他")
        PENDING = "pending", _("尚未审结")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        DisclosureRequest,
        verbose_name=_("所涉申请"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("复议或诉讼事项"), max_length=200)
    filed_on = models.DateField(_("申请复议或起诉日期"))
    body = models.CharField(_("复议机关或人民法院"), max_length=100)
    result = models.CharField(
        _("结果"), max_length=20, choices=Result.choices, default=Result.PENDING
    )
    result_on = models.DateField(_("审结日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("政府信息公开行政复议、行政诉讼")
        verbose_name_plural = _("政府信息公开行政复议、行政诉讼")
        ordering = ["-filed_on", "-pk"]
        indexes = [models.Index(fields=["agency", "filed_on"], name="disclosure_challenge_filed")]
        constraints = [
            # Decided exactly when it has a result date, never before it was filed.
            models.CheckConstraint(
                condition=(Q(result="pending") & Q(result_on__isnull=True))
                | (~Q(result="pending") & Q(result_on__gte=F("filed_on"))),
                name="disclosure_challenge_result_with_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"
