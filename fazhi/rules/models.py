"""The normative document and the records of each stage of its making."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from fazhi.core.identity.fields import EncryptedIdentifierField
from fazhi.core.identity.kinds import Kind
from fazhi.core.workflow import Action, Guard, Workflow, WorkflowModel
from fazhi.rules import gates


class DocumentKind(models.TextChoices):
    NORMATIVE = "normative", _("规范性文件")
    INTERIM = "interim", _("暂行")
    TRIAL = "trial", _("试行")
    NOTICE = "notice", _("通告")


class NormativeDocument(WorkflowModel):
    """A rule-like document binding citizens. "三不两责一公开": no review without consultation,
    no meeting without a passed legality review, no issuance without a collective decision."""

    class State(models.TextChoices):
        DRAFTING = "drafting", _("起草")  # the department writes text and drafting note
        CONSULTATION = "consultation", _("公开征求意见")  # published for comments
        COMMENTS = "comments", _("意见处理")  # period over: answer every comment, report
        REVIEW = "review", _("合法性审核")  # the legal office reviews
        REVIEWED = "reviewed", _("待集体讨论")  # review passed; may go on a meeting agenda
        DECIDED = "decided", _("待公布")  # the meeting decided to adopt it
        ISSUED = "issued", _("已公布")  # numbered and published (status badge is derived)
        ABANDONED = "abandoned", _("终止制定")  # the making was stopped, with reason

    OPEN_STATES = (
        State.DRAFTING,
        State.CONSULTATION,
        State.COMMENTS,
        State.REVIEW,
        State.REVIEWED,
        State.DECIDED,
    )

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "core.Department", verbose_name=_("起草科室"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(
        _("类型"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.NORMATIVE
    )
    legal_basis = models.TextField(_("制定依据"), blank=True)
    drafting_note = models.TextField(_("起草说明"), blank=True)
    # The two flags that set the consultation rule (domain-rules.md §2.1).
    market_related = models.BooleanField(_("涉及市场主体生产经营"), default=False)
    major_rights = models.BooleanField(_("涉及公民权利义务或切身利益"), default=True)
    planned_validity_years = models.PositiveSmallIntegerField(_("拟定有效期（年）"), default=5)
    # 主题分类: lets a cleanup campaign select "all documents on one topic".
    topic = models.CharField(_("主题分类"), max_length=50, blank=True)
    state = FSMField(_("状态"), default=State.DRAFTING, choices=State.choices, protected=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Skipping consultation needs a stated legal ground and the legal office's approval.
    exemption_ground = models.TextField(_("不征求意见的法定理由"), blank=True)
    exemption_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exemption_approved_at = models.DateTimeField(null=True, blank=True)
    # Issuance (统一登记、统一编号、统一公布).
    doc_number = models.OneToOneField(
        "core.IssuedNumber", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    validity_reason = models.TextField(_("有效期超过上限的理由"), blank=True)
    interpretation = models.TextField(_("政策解读"), blank=True)
    abandon_reason = models.TextField(_("终止理由"), blank=True)
    # Set only by the services that confirm an evaluation or publish a cleanup result, from
    # that record: the badge reads them with the dates, nobody types a status.
    ended_on = models.DateField(_("废止或宣布失效日期"), null=True, blank=True)
    ended_as = models.CharField(
        _("废止或失效"),
        max_length=10,
        choices=[("repealed", _("废止")), ("expired", _("宣布失效"))],
        blank=True,
    )
    ended_basis = models.CharField(_("废止或失效依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("行政规范性文件")
        verbose_name_plural = _("行政规范性文件")
        indexes = [
            models.Index(fields=["agency", "state"]),
            # The worklist's order (newest first): without it the page sorts every row.
            models.Index(fields=["agency", "-created_at", "-id"], name="document_worklist_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="issued")
                | Q(doc_number__isnull=False, published_on__isnull=False),
                name="issued_document_is_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # --- transitions: the gates are guards, checked on the server for every path ---

    @transition(
        field=state,
        source=State.DRAFTING,
        target=State.CONSULTATION,
        permission="normative.draft_document",
        conditions=[
            Guard(gates.has_text, _("请先保存正文。"), "text_required"),
            Guard(
                gates.countersign_settled,
                _("相关科室会签尚未全部同意，不能公开征求意见。"),
                "countersign_not_agreed",
            ),
            Guard(
                gates.consultation_period_long_enough,
                _("征求意见期短于规定期限。"),
                "consultation_too_short",
            ),
        ],
    )
    def open_consultation(self, *, actor, comment="", **data):
        """Publish the draft and drafting note for comments (dates set by the service)."""

    @transition(
        field=state,
        source=State.CONSULTATION,
        target=State.COMMENTS,
        permission="normative.draft_document",
        conditions=[
            Guard(
                gates.consultation_period_over, _("征求意见期尚未结束。"), "consultation_not_over"
            )
        ],
    )
    def close_consultation(self, *, actor, comment="", **data):
        """The period is over: answer the comments and write the adoption report."""

    @transition(
        field=state,
        source=[State.DRAFTING, State.COMMENTS],
        target=State.REVIEW,
        permission="normative.draft_document",
        conditions=[
            Guard(gates.has_text, _("请先保存正文。"), "text_required"),
            Guard(
                gates.consultation_done,
                _("未完成公开征求意见（或未经批准免于征求意见），不能提请合法性审核。"),
                "consultation_required",
            ),
        ],
    )
    def submit_for_review(self, *, actor, comment="", **data):
        """Send to the legal office for legality review."""

    @transition(
        field=state,
        source=State.REVIEW,
        target=State.REVIEWED,
        permission="normative.review_document",
        conditions=[
            Guard(
                gates.review_long_enough,
                _("合法性审核时间不足规定的最短工作日。"),
                "review_too_short",
            ),
            Guard(gates.review_passed, _("合法性审核意见尚未通过。"), "review_not_passed"),
        ],
    )
    def pass_review(self, *, actor, comment="", **data):
        """The legality review passed; the draft may go on a meeting agenda."""

    @transition(
        field=state,
        source=State.REVIEW,
        target=State.DRAFTING,
        permission="normative.review_document",
    )
    def return_from_review(self, *, actor, comment="", **data):
        """Back to drafting with the review's changes (驳回)."""

    @transition(
        field=state,
        source=State.REVIEWED,
        target=State.DECIDED,
        permission="normative.review_document",
        conditions=[
            Guard(
                gates.review_passed,
                _("未经合法性审核通过，不得提请集体讨论。"),
                "review_not_passed",
            ),
            Guard(gates.decision_adopted, _("尚无集体讨论通过的决定。"), "decision_required"),
        ],
    )
    def record_decision(self, *, actor, comment="", **data):
        """The meeting adopted it (the decision record is written by the service)."""

    @transition(
        field=state,
        source=State.DECIDED,
        target=State.ISSUED,
        permission="normative.issue_document",
        conditions=[
            Guard(gates.consultation_done, _("未完成公开征求意见。"), "consultation_required"),
            Guard(gates.review_passed, _("未经合法性审核通过。"), "review_not_passed"),
            Guard(gates.decision_adopted, _("未经集体讨论决定。"), "decision_required"),
            Guard(
                gates.ready_to_issue,
                _("请先填写政策解读、公布和施行日期及有效期。"),
                "issuance_incomplete",
            ),
            # Only document_issue draws the number; a bare transition cannot publish.
            Guard(gates.numbered, _("请通过“编号公布”办理。"), "number_required"),
        ],
    )
    def issue(self, *, actor, comment="", **data):
        """Registered, numbered and published (the number is drawn by the service)."""

    @transition(
        field=state,
        source=OPEN_STATES,
        target=State.ABANDONED,
        permission="normative.review_document",
    )
    def abandon(self, *, actor, comment="", **data):
        """Stop making this document, with the reason on the record."""
        self.abandon_reason = comment

    workflow = Workflow(
        actions=[
            Action("open_consultation", _("公开征求意见")),
            Action("close_consultation", _("结束征求意见")),
            Action("submit_for_review", _("提请合法性审核")),
            Action("pass_review", _("审核通过")),
            Action("return_from_review", _("退回修改"), comment_required=True, kind="return"),
            Action("record_decision", _("登记集体讨论决定")),
            Action("issue", _("编号公布")),
            Action("abandon", _("终止制定"), comment_required=True, kind="return"),
        ],
        withdrawable=frozenset({"submit_for_review"}),
    )


class DocumentVersion(models.Model):
    """A saved text of the draft; any two can be compared."""

    document = models.ForeignKey(
        NormativeDocument, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    text = models.TextField(_("正文"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    # The uploaded Word file the text was extracted from, kept as the original.
    source_file = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class Consultation(models.Model):
    """The public consultation of one document: its period and its adoption report."""

    document = models.OneToOneField(
        NormativeDocument, on_delete=models.PROTECT, related_name="consultation"
    )
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    # The rule applied, in words, as published with the draft.
    rule = models.CharField(_("期限规则"), max_length=200)
    report = models.TextField(_("意见采纳情况说明"), blank=True)
    report_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gt=models.F("opens_on")),
                name="consultation_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document}（{self.opens_on}—{self.closes_on}）"

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class PublicComment(models.Model):
    """A citizen's comment on the whole text or on one article, and the agency's answer.

    Name and phone are required but never shown publicly (encrypted at rest)."""

    class Response(models.TextChoices):
        ADOPTED = "adopted", _("采纳")
        PARTLY = "partly", _("部分采纳")
        NOT_ADOPTED = "not_adopted", _("不予采纳")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="comments"
    )
    article = models.PositiveSmallIntegerField(_("条款"), null=True, blank=True)
    text = models.TextField(_("意见内容"))
    submitter_name = models.CharField(_("姓名"), max_length=50)
    # Encrypted at rest, masked wherever shown (core.identity).
    submitter_phone = EncryptedIdentifierField(_("联系电话"), kind=Kind.MOBILE)
    # The browser's one-time token: a double submit makes one comment.
    idempotency_key = models.CharField(max_length=64, unique=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    response = models.CharField(_("采纳情况"), max_length=20, choices=Response.choices, blank=True)
    response_reason = models.TextField(_("理由"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "article", "submitted_at"]

    def __str__(self) -> str:
        return self.text[:30]


class LegalityReview(models.Model):
    """One round of the legal office's legality review (合法性审核)."""

    class Opinion(models.TextChoices):
        PASS = "pass", _("通过")
        PASS_WITH_CHANGES = "changes", _("修改后通过")
        FAIL = "fail", _("不通过")

    CHECKLIST = ("authority", "competence", "procedure", "content", "form")

    document = models.ForeignKey(
        NormativeDocument, on_delete=models.PROTECT, related_name="reviews"
    )
    started_on = models.DateField(_("受理日期"))
    checklist = models.JSONField(_("审核要点"), default=dict)
    opinion = models.CharField(_("审核意见"), max_length=10, choices=Opinion.choices, blank=True)
    report = models.TextField(_("审核报告"), blank=True)
    adviser_opinion = models.TextField(_("法律顾问意见"), blank=True)
    # The legal office may ask the legal adviser (法律顾问) for an opinion during the review.
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adviser_question = models.TextField(_("征求法律顾问意见的事项"), blank=True)
    adviser_requested_at = models.DateTimeField(null=True, blank=True)
    adviser_due_on = models.DateField(_("法律顾问意见期限"), null=True, blank=True)
    adviser_file = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adviser_answered_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("审核完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["document", "started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.document} · {self.get_opinion_display() or '审核中'}"


class CollectiveDecision(models.Model):
    """The agency meeting's decision on the document (集体讨论决定)."""

    class Meeting(models.TextChoices):
        DIRECTOR = "director", _("局长办公会")
        BUREAU = "bureau", _("局务会")

    document = models.ForeignKey(
        NormativeDocument, on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.CharField(_("会议"), max_length=20, choices=Meeting.choices)
    meeting_date = models.DateField(_("会议日期"))
    attendees = models.TextField(_("出席人员"))
    adopted = models.BooleanField(_("审议通过"))
    decision = models.TextField(_("决定内容"))
    minutes = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_meeting_display()} {self.meeting_date}"


class DocumentLink(models.Model):
    """A typed relation between two documents: the newer one revises, repeals or rests on the
    older one. Statuses such as 已废止 and 已修订 are derived from these links, never set."""

    class Kind(models.TextChoices):
        REVISES = "revises", _("修订")
        REPEALS = "repeals", _("废止")
        BASED_ON = "based_on", _("依据")

    source = models.ForeignKey(
        NormativeDocument, on_delete=models.PROTECT, related_name="links_out"
    )
    target = models.ForeignKey(NormativeDocument, on_delete=models.PROTECT, related_name="links_in")
    kind = models.CharField(_("关系"), max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="link_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"


class Filing(models.Model):
    """Filing (备案) of an issued document with the government at the same level."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待备案")
        FILED = "filed", _("已报送")
        ACCEPTED = "accepted", _("准予备案")
        CORRECTION = "correction", _("要求纠正")

    document = models.OneToOneField(
        NormativeDocument, on_delete=models.PROTECT, related_name="filing"
    )
    due_on = models.DateField(_("备案期限"))
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    outcome = models.CharField(
        _("备案结果"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.TextField(_("说明"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.document} · {self.get_outcome_display()}"


class Disposition(models.TextChoices):
    """What becomes of a document in force after evaluation or cleanup (清理结果的四类)."""

    KEEP = "keep", _("保留")
    REVISE = "revise", _("修改")
    REPEAL = "repeal", _("废止")
    EXPIRE = "expire", _("宣布失效")


class ExpiryEvaluation(models.Model):
    """The department's evaluation of a document before its validity ends (到期前评估).

    Requested `rules.evaluation_months_before` (6) months before `valid_until`; the proposal is
    due at the legal office `rules.evaluation_due_months_before` (2) months before, and the
    office confirms it `rules.evaluation_confirm_months_before` (1) month before (徐汇 practice).
    One per document and expiry date, so the sweep that opens them can run any number of times.
    """

    document = models.ForeignKey(
        NormativeDocument, on_delete=models.PROTECT, related_name="evaluations"
    )
    valid_until = models.DateField(_("评估的有效期至"))
    requested_on = models.DateField(_("发起日期"))
    due_on = models.DateField(_("报送期限"))
    confirm_due_on = models.DateField(_("确认期限"))
    proposal = models.CharField(
        _("评估意见"), max_length=10, choices=Disposition.choices, blank=True
    )
    reason = models.TextField(_("理由"), blank=True)
    new_valid_until = models.DateField(_("新的有效期至"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    escalated_on = models.DateField(_("督办日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("到期评估")
        verbose_name_plural = _("到期评估")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "valid_until"], name="evaluation_once_per_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.valid_until}"


class CleanupReview(WorkflowModel):
    """A periodic cleanup (清理) of documents in force, opened by the legal office."""

    class State(models.TextChoices):
        OPEN = "open", _("部门提出意见")
        PUBLISHED = "published", _("结果已公布")

    class Scope(models.TextChoices):
        ALL = "all", _("全部现行有效文件")
        DEPARTMENT = "department", _("按部门")
        TOPIC = "topic", _("按主题")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("清理名称"), max_length=200)
    basis = models.TextField(_("清理依据和要求"), blank=True)
    scope = models.CharField(_("清理范围"), max_length=20, choices=Scope.choices)
    scope_department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scope_topic = models.CharField(_("主题"), max_length=50, blank=True)
    state = FSMField(_("状态"), default=State.OPEN, choices=State.choices, protected=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("发起日期"))
    proposals_due_on = models.DateField(_("部门意见期限"))
    published_on = models.DateField(_("结果公布日期"), null=True, blank=True)
    result_note = models.TextField(_("清理结果说明"), blank=True)

    class Meta:
        verbose_name = _("规范性文件清理")
        verbose_name_plural = _("规范性文件清理")
        ordering = ["-opened_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @transition(
        field=state,
        source=State.OPEN,
        target=State.PUBLISHED,
        permission="normative.review_document",
        conditions=[
            Guard(
                gates.cleanup_all_confirmed,
                _("尚有文件未确认清理结果。"),
                "cleanup_unconfirmed",
            )
        ],
    )
    def publish(self, *, actor, comment="", **data):
        """Publish the result lists (保留 / 修改 / 废止 / 宣布失效); the service applies them."""

    workflow = Workflow(actions=[Action("publish", _("公布清理结果"))])


class CleanupItem(models.Model):
    """One document in a cleanup: the department's proposal and the legal office's result."""

    campaign = models.ForeignKey(CleanupReview, on_delete=models.PROTECT, related_name="items")
    document = models.ForeignKey(
        NormativeDocument, on_delete=models.PROTECT, related_name="cleanup_items"
    )
    proposal = models.CharField(
        _("部门意见"), max_length=10, choices=Disposition.choices, blank=True
    )
    proposal_reason = models.TextField(_("理由"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(_("清理结果"), max_length=10, choices=Disposition.choices, blank=True)
    result_note = models.TextField(_("说明"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("清理文件")
        verbose_name_plural = _("清理文件")
        ordering = ["campaign", "document__published_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "document"], name="cleanup_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.document}"
