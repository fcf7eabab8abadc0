"""Proactive disclosure (主动公开): the catalogue's records and their review before release.

A record goes drafted → confidentiality review (保密审查) → release approval (信息审核发布) →
published → withdrawn (with a public reason) or superseded by a later record. Before review the
text and attachments are scanned for personal data (`scan.py`); each hit is a `ScanFinding` the
reviewer must clear or redact, and release waits until none is open. OGI Art. 26 gives 20
working days from the information's formation or change; `due_on` holds that day, computed by
the one calendar when the record is saved by its service.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from fazhi.core.workflow import Action, Guard, Workflow, WorkflowModel
from fazhi.disclosure import gates_proactive as gates

# The permissions of proactive disclosure (predicates in permissions.py).
DRAFT_RECORD = "disclosure.draft_record"
REVIEW_RECORD = "disclosure.review_record"
RELEASE_RECORD = "disclosure.release_record"


class Category(models.TextChoices):
    """OGI Art. 20: what an agency must disclose proactively, item by item."""

    REGULATIONS = "art20_1", _("（一）行政法规、规章和规范性文件")
    ORGANISATION = (
        "art20_2",
        _("（二）机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名"),
    )
    PLANS = "art20_3", _("（三）国民经济和社会发展规划、专项规划、区域规划及相关政策")
    STATISTICS = "art20_4", _("（四）国民经济和社会发展统计信息")
    LICENSING = (
        "art20_5",
        _("（五）办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果"),
    )
    PENALTIES = (
        "art20_6",
        _(
            "（六）实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的"
            "行政处罚决定"
        ),
    )
    BUDGET = "art20_7", _("（七）财政预算、决算信息")
    FEES = "art20_8", _("（八）行政事业性收费项目及其依据、标准")
    PROCUREMENT = "art20_9", _("（九）政府集中采购项目的目录、标准及实施情况")
    PROJECTS = "art20_10", _("（十）重大建设项目的批准和实施情况")
    SOCIAL_POLICY = (
        "art20_11",
        _("（十一）扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况"),
    )
    EMERGENCIES = "art20_12", _("（十二）突发公共事件的应急预案、预警信息及应对情况")
    INSPECTIONS = (
        "art20_13",
        _("（十三）环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况"),
    )
    RECRUITMENT = "art20_14", _("（十四）公务员招考的职位、名额、报考条件等事项以及录用结果")
    OTHER = "art20_15", _("（十五）法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息")


class FiveDisclosures(models.TextChoices):
    """五公开 (中办发〔2016〕8号): the stage of administration the information belongs to."""

    DECISION = "decision", _("决策公开")
    EXECUTION = "execution", _("执行公开")
    MANAGEMENT = "management", _("管理公开")
    SERVICE = "service", _("服务公开")
    RESULT = "result", _("结果公开")


class PublishForm(models.TextChoices):
    """公开方式 (OGI Art. 23–25)."""

    WEBSITE = "website", _("政府网站")
    GAZETTE = "gazette", _("政府公报")
    PRESS = "press", _("新闻发布会")
    MEDIA = "media", _("报刊、广播、电视")
    NOTICE_BOARD = "notice_board", _("公共查阅点、公告栏")
    OTHER = "other", _("其他")


class Validity(models.TextChoices):
    """有效性 as the catalogue shows it; normative documents take theirs from the rules app."""

    NOT_APPLICABLE = "", _("不涉及")
    IN_FORCE = "in_force", _("有效")
    EXPIRED = "expired", _("失效")
    REPEALED = "repealed", _("废止")


class PublicRecord(WorkflowModel):
    """One catalogue entry (公开目录条目) and the information it publishes."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("保密审查中")
        APPROVAL = "approval", _("待审核发布")
        PUBLISHED = "published", _("已公开")
        WITHDRAWN = "withdrawn", _("已撤回")
        SUPERSEDED = "superseded", _("已被替代")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("产生部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # 索引号: drawn when the record is published, unique in the agency.
    index_number = models.CharField(_("索引号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    document_number = models.CharField(_("发文字号"), max_length=60, blank=True)
    formed_on = models.DateField(_("成文日期"))
    category = models.CharField(_("公开类别"), max_length=20, choices=Category.choices)
    five_disclosures = models.CharField(
        _("五公开"), max_length=20, choices=FiveDisclosures.choices, blank=True
    )
    topic = models.CharField(_("主题分类"), max_length=40)
    publish_form = models.CharField(
        _("公开方式"), max_length=20, choices=PublishForm.choices, default=PublishForm.WEBSITE
    )
    validity = models.CharField(
        _("有效性"), max_length=20, choices=Validity.choices, blank=True, default=""
    )
    body = models.TextField(_("正文"), blank=True)
    attachments = models.ManyToManyField(
        "files.StoredFile", verbose_name=_("附件"), blank=True, related_name="+"
    )
    # A normative document issued by the rules app, entered in the catalogue by the system.
    source_document = models.OneToOneField(
        "normative.NormativeDocument",
        verbose_name=_("规范性文件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_record",
    )
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True)
    # OGI Art. 26: 20 working days from formation or change (the agency setting's number).
    due_on = models.DateField(_("应公开期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限为暂定"), default=False)
    # When the record last went to review: reviews and scan findings of earlier rounds are
    # history, only those from this moment on decide release.
    submitted_at = models.DateTimeField(_("提交审查时间"), null=True, blank=True)
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由（公开）"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("替代记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("主动公开信息")
        verbose_name_plural = _("主动公开信息")
        ordering = ["-published_on", "-formed_on", "-pk"]
        indexes = [
            models.Index(fields=["agency", "state", "due_on"], name="public_record_worklist"),
            models.Index(
                fields=["agency", "state", "-published_on"], name="public_record_catalogue"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "index_number"],
                condition=~Q(index_number=""),
                name="public_record_index_unique",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | Q(published_on__gte=F("formed_on")),
                name="public_record_published_after_formed",
            ),
            # What the public saw carries its index number and date.
            models.CheckConstraint(
                condition=~Q(state__in=["published", "withdrawn", "superseded"])
                | (~Q(index_number="") & Q(published_on__isnull=False)),
                name="public_record_published_has_index",
            ),
            models.CheckConstraint(
                condition=~Q(state="withdrawn")
                | (~Q(withdrawal_reason="") & Q(withdrawn_on__isnull=False)),
                name="public_record_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state="superseded") | Q(superseded_by__isnull=False),
                name="public_record_superseded_has_successor",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        # The Art. 26 limit no longer runs once the record has been published.
        return self.state in (
            self.State.PUBLISHED,
            self.State.WITHDRAWN,
            self.State.SUPERSEDED,
        )

    # --- transitions: the services write the records, the guards read them ---

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.REVIEW,
        permission=DRAFT_RECORD,
        conditions=[
            Guard(gates.has_content, _("请先填写正文或上传附件。"), "content_required"),
        ],
    )
    def submit(self, *, actor, comment="", **data):
        """To confidentiality review. The personal-data scan runs here, inside the transition,
        so no path to review can skip it: findings of this round are written before the state
        changes, and the transaction of perform() keeps both or neither."""
        from fazhi.disclosure.services.proactive import scan_record

        self.submitted_at = timezone.now()
        scan_record(self)

    @transition(
        field=state,
        source=State.REVIEW,
        target=State.APPROVAL,
        permission=REVIEW_RECORD,
        conditions=[
            Guard(
                gates.no_open_finding,
                _("个人信息检查尚有未处理的结果，请先逐项确认可公开或遮蔽。"),
                "finding_open",
            ),
            Guard(gates.released, _("请通过“保密审查”办理。"), "review_required"),
        ],
    )
    def pass_review(self, *, actor, comment="", **data):
        """保密审查 concluded "可以公开" (the review record is written by the service)."""

    @transition(
        field=state,
        source=State.REVIEW,
        target=State.DRAFT,
        permission=REVIEW_RECORD,
        conditions=[Guard(gates.sent_back, _("请通过“保密审查”办理。"), "review_required")],
    )
    def return_from_review(self, *, actor, comment="", **data):
        """退回修改 or 不予公开: back to the drafter; the review stays in the history."""

    @transition(
        field=state,
        source=State.APPROVAL,
        target=State.DRAFT,
        permission=RELEASE_RECORD,
    )
    def return_from_approval(self, *, actor, comment="", **data):
        """信息审核发布 declined: back to the drafter with the reason (the comment); the next
        submission is scanned and reviewed again."""

    @transition(
        field=state,
        source=State.APPROVAL,
        target=State.PUBLISHED,
        permission=RELEASE_RECORD,
        conditions=[
            Guard(
                gates.no_open_finding,
                _("个人信息检查尚有未处理的结果，不能发布。"),
                "finding_open",
            ),
            Guard(gates.released, _("尚未经保密审查同意公开，不能发布。"), "review_required"),
            # Only record_publish draws the index number; a bare transition cannot publish.
            Guard(gates.numbered, _("请通过“审核发布”办理。"), "index_required"),
        ],
    )
    def publish(self, *, actor, comment="", **data):
        """信息审核发布: published with its index number on `published_on`."""

    @transition(
        field=state,
        source=State.PUBLISHED,
        target=State.WITHDRAWN,
        permission=RELEASE_RECORD,
    )
    def retract(self, *, actor, comment="", withdrawn_on=None, **data):
        """撤回: the reason (the comment) is shown to the public beside the entry."""
        self.withdrawal_reason = comment.strip()
        self.withdrawn_on = withdrawn_on or timezone.localdate()

    @transition(
        field=state,
        source=State.PUBLISHED,
        target=State.SUPERSEDED,
        permission=RELEASE_RECORD,
        conditions=[
            Guard(
                gates.successor_published,
                _("请通过“替代”办理，并选择本机关已公开的新记录。"),
                "successor_required",
            ),
        ],
    )
    def supersede(self, *, actor, comment="", **data):
        """A later published record replaces this one (the link is set by the service)."""

    workflow = Workflow(
        actions=[
            Action("submit", _("提交保密审查")),
            Action("pass_review", _("审查通过")),
            Action("return_from_review", _("退回修改"), kind="return"),
            Action("publish", _("审核发布")),
            Action("return_from_approval", _("退回起草"), comment_required=True, kind="return"),
            Action("retract", _("撤回公开"), comment_required=True, kind="return"),
            Action("supersede", _("替代")),
        ],
    )


class ConfidentialityReview(models.Model):
    """保密审查: the reviewer's checklist and conclusion for one round of review."""

    class Conclusion(models.TextChoices):
        RELEASE = "release", _("可以公开")
        RETURN = "return", _("退回修改")
        WITHHOLD = "withhold", _("不予公开")

    record = models.ForeignKey(PublicRecord, on_delete=models.PROTECT, related_name="reviews")
    # {item key: True/False} over the agency's checklist (setting `disclosure.review_checklist`).
    checklist = models.JSONField(_("审查事项"), default=dict)
    conclusion = models.CharField(_("审查结论"), max_length=20, choices=Conclusion.choices)
    comment = models.TextField(_("审查意见"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审查时间"))

    class Meta:
        verbose_name = _("保密审查")
        verbose_name_plural = _("保密审查")
        ordering = ["record", "reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.record} · {self.get_conclusion_display()}"


class ScanFinding(models.Model):
    """One hit of the personal-data scan on a record's text or attachment, and what became of it."""

    class Resolution(models.TextChoices):
        OPEN = "open", _("待处理")
        CLEARED = "cleared", _("确认可公开")
        REDACTED = "redacted", _("已遮蔽")

    record = models.ForeignKey(PublicRecord, on_delete=models.PROTECT, related_name="findings")
    # The scanned text: the body, or one attachment (then `attachment` is set).
    attachment = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20)
    # Never the hit itself: the mask shown to the reviewer and the place in the text.
    masked = models.CharField(_("内容（已遮蔽）"), max_length=100)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    context = models.CharField(_("上下文"), max_length=200, blank=True)
    resolution = models.CharField(
        _("处理"), max_length=20, choices=Resolution.choices, default=Resolution.OPEN
    )
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("个人信息检查结果")
        verbose_name_plural = _("个人信息检查结果")
        ordering = ["record", "attachment", "start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="scan_finding_span"),
            models.CheckConstraint(
                condition=Q(resolution="open", resolved_at__isnull=True)
                | (~Q(resolution="open") & Q(resolved_at__isnull=False)),
                name="scan_finding_resolved_with_time",
            ),
            models.CheckConstraint(
                condition=~Q(resolution="cleared") | ~Q(reason=""),
                name="scan_finding_cleared_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.masked}"
