"""Findings and their rectification (问题 / 限期整改), the loop every kind of oversight feeds.

A `Finding` is the problem as found: by a spot check, a supervisor's visit, an inspection, the
committee disclosure check, a bad service rating or a complaint. Its `Rectification` is the
workflow of fixing it: the responsible unit proposes measures, works to `due_on` (working days
from the agency setting for the severity), submits evidence; the legal office verifies and
closes it (销号) or sends it back (驳回). `Escalation` rows are the ladder the sweep climbs when
the deadline nears or passes (提醒 → 督办单 → 约谈 → 通报). Other modules open findings only
through `fazhi.oversight.services.findings.finding_open`; this module never imports theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from fazhi.core.workflow import Action, Guard, Workflow, WorkflowModel
from fazhi.oversight import gates

# Permissions of the loop (predicates in permissions/findings.py).
RECTIFY = "oversight.rectify"
VERIFY = "oversight.verify_rectification"


class Source(models.TextChoices):
    SPOT_CHECK = "spot_check", _("案卷评查")
    VISIT = "visit", _("明察暗访")
    INSPECTION = "inspection", _("检查")
    THIRD_PARTY = "third_party", _("第三方检查")
    COMMITTEE_CHECK = "committee_check", _("居（村）务公开检查")
    RATING = "rating", _("好差评")
    COMPLAINT = "complaint", _("投诉举报")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    MINOR = "minor", _("轻微")
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("严重")


class Finding(models.Model):
    """A problem found (问题), whatever found it; its fixing is the `Rectification`."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    # The record that found it, as "<app>.<model>:<id>" (e.g. "oversight.visit:12",
    # "services.rating:5"): a reference, not a foreign key, so no module depends on another.
    # Unique per agency when given, which makes opening a finding from a source idempotent.
    source_ref = models.CharField(_("来源记录"), max_length=80, blank=True)
    source_label = models.CharField(_("来源说明"), max_length=200, blank=True)
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("问题描述"))
    severity = models.CharField(
        _("严重程度"), max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    legal_basis = models.TextField(_("依据"), blank=True)
    # The agency's unit answerable for the fix; where it happened, when that is a subdistrict
    # or a committee, is recorded beside it (the unit then works with them).
    department = models.ForeignKey(
        "core.Department", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    subdistrict = models.ForeignKey(
        "core.Subdistrict",
        verbose_name=_("街道/镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    committee = models.ForeignKey(
        "core.Committee",
        verbose_name=_("居委会/村委会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    found_on = models.DateField(_("发现日期"))
    evidence = models.ManyToManyField(
        "files.StoredFile", verbose_name=_("证据材料"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who opened it when no account did (a sweep, an import).
    created_by_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["agency", "department"], name="finding_department"),
            models.Index(fields=["agency", "source", "found_on"], name="finding_source"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source_ref"],
                condition=~Q(source_ref=""),
                name="finding_one_per_source_record",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Rectification(WorkflowModel):
    """限期整改: the fixing of one finding, on the working-day clock."""

    class State(models.TextChoices):
        AWAITING_MEASURES = "awaiting_measures", _("待制定整改措施")
        RECTIFYING = "rectifying", _("整改中")
        SUBMITTED = "submitted", _("待核验")
        CLOSED = "closed", _("已销号")

    class Level(models.IntegerChoices):
        """How far up the escalation ladder it has gone (the highest `Escalation`)."""

        NONE = 0, _("未督办")
        REMINDED = 1, _("已提醒")
        NOTICE = 2, _("已发督办单")
        INTERVIEW = 3, _("已约谈")
        CIRCULAR = 4, _("已通报")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    finding = models.OneToOneField(
        Finding, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="rectification"
    )
    # Copied from the finding so unit lists and flags need no join.
    department = models.ForeignKey(
        "core.Department", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField(
        _("状态"), default=State.AWAITING_MEASURES, choices=State.choices, protected=True
    )
    due_on = models.DateField(_("整改期限"))
    due_provisional = models.BooleanField(_("期限为暂定"), default=False)
    measures = models.TextField(_("整改措施"), blank=True)
    measures_at = models.DateTimeField(_("措施提出时间"), null=True, blank=True)
    completion_note = models.TextField(_("整改情况"), blank=True)
    completion_files = models.ManyToManyField(
        "files.StoredFile", verbose_name=_("整改佐证材料"), blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交核验时间"), null=True, blank=True)
    rejection_count = models.PositiveSmallIntegerField(_("驳回次数"), default=0)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(
        _("督办层级"), choices=Level.choices, default=Level.NONE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("限期整改")
        verbose_name_plural = _("限期整改")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["agency", "state", "due_on"], name="rectification_worklist"),
            models.Index(fields=["agency", "department", "state"], name="rectification_unit"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_on__isnull=False),
                name="rectification_closed_has_day",
            ),
        ]

    def __str__(self) -> str:
        return str(self.finding)

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED

    # --- transitions: the services write the fields, the guards read them ---

    @transition(
        field=state,
        source=State.AWAITING_MEASURES,
        target=State.RECTIFYING,
        permission=RECTIFY,
        conditions=[Guard(gates.has_measures, _("请填写整改措施。"), "measures_required")],
    )
    def propose_measures(self, *, actor, comment="", **data):
        """The responsible unit commits to its measures; work runs to `due_on`."""

    @transition(
        field=state,
        source=State.RECTIFYING,
        target=State.SUBMITTED,
        permission=RECTIFY,
        conditions=[
            Guard(
                gates.has_completion_evidence,
                _("请上传整改佐证材料并说明整改情况。"),
                "evidence_required",
            )
        ],
    )
    def submit_evidence(self, *, actor, comment="", **data):
        """整改完成，提交核验 with the evidence of completion."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.CLOSED,
        permission=VERIFY,
        conditions=[
            Guard(
                gates.has_completion_evidence,
                _("没有整改佐证材料，不能销号。"),
                "evidence_required",
            )
        ],
    )
    def verify(self, *, actor, comment="", **data):
        """核验通过，销号."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RECTIFYING,
        permission=VERIFY,
    )
    def send_back(self, *, actor, comment="", **data):
        """驳回: not fixed yet; the reason (the comment) goes to the unit, the deadline stands."""
        self.rejection_count += 1

    workflow = Workflow(
        actions=[
            Action("propose_measures", _("提交整改措施")),
            Action("submit_evidence", _("整改完成，提交核验")),
            Action("verify", _("核验通过，销号")),
            Action("send_back", _("驳回"), comment_required=True, kind="return"),
        ],
    )


class Escalation(models.Model):
    """One step of the ladder (督办) taken for a rectification; each step at most once."""

    class Step(models.IntegerChoices):
        REMINDER = 1, _("到期提醒")
        NOTICE = 2, _("督办单")
        INTERVIEW = 3, _("约谈")
        CIRCULAR = 4, _("通报")

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="escalations"
    )
    step = models.PositiveSmallIntegerField(_("督办环节"), choices=Step.choices)
    taken_on = models.DateField(_("日期"))
    # The 督办单 (DOCX) sent to the department head; the circular that listed it.
    document = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("文书"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    circular = models.ForeignKey(
        "oversight.Circular",
        verbose_name=_("通报"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
    )
    # 约谈: who met whom, when, and what was agreed (recorded by the legal office).
    note = models.TextField(_("情况"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["rectification", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["rectification", "step"], name="escalation_each_step_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rectification} · {self.get_step_display()}"


class Circular(models.Model):
    """通报: a numbered notice of a period's findings and their status (DOCX)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    number = models.OneToOneField(
        "core.IssuedNumber",
        verbose_name=_("文号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    # The rectifications it lists, frozen when issued (their status as of that day is in
    # `snapshot`, so a later change does not rewrite an issued circular).
    rectifications = models.ManyToManyField(Rectification, blank=True, related_name="circulars")
    snapshot = models.JSONField(default=list, blank=True)
    document = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("通报文书"),
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
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="circular_period_order",
            ),
            models.CheckConstraint(
                condition=~Q(state="issued")
                | (Q(number__isnull=False) & Q(issued_on__isnull=False)),
                name="circular_issued_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AccountabilityRecord(models.Model):
    """责任追究: the measure decided for a person answerable for a finding."""

    class Measure(models.TextChoices):
        CRITICISM = "criticism", _("批评教育")
        SELF_EXAMINATION = "self_examination", _("责令书面检查")
        ADMONITION = "admonition", _("诫勉")
        CIRCULATED = "circulated", _("通报批评")
        ORGANISATIONAL = "organisational", _("组织处理")
        DISCIPLINARY = "disciplinary", _("党纪政务处分")
        OTHER = "other", _("其他")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    finding = models.ForeignKey(
        Finding, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="accountability"
    )
    person_name = models.CharField(_("责任人"), max_length=50)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.CharField(_("职务"), max_length=100, blank=True)
    measure = models.CharField(_("处理措施"), max_length=20, choices=Measure.choices)
    decided_on = models.DateField(_("决定日期"))
    decided_by = models.CharField(_("决定机关"), max_length=100)
    basis = models.TextField(_("依据"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("责任追究")
        verbose_name_plural = _("责任追究")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.person_name} · {self.get_measure_display()}"
