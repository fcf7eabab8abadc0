"""Spot checks of case files (案卷评查, 双随机): plans, reproducible draws, reviews.

A `SamplingPlan` names a population (a case type and a period, listed by the selector of the
module that owns the cases, see `populations.py`), a rate or a count, the strata (the unit that
handled each file) and a minimum per stratum. Drawing is a pure function of the plan, its
population and its `seed` (`sampling.py`), so anyone holding the published seed and population
can re-draw and get the same files. Each drawn `SampledFile` gets a reviewer drawn from the
agency's `ReviewerPoolMember`s who is never of the unit that handled the file; the reviewer
scores it on the plan's `Checklist` (veto items first, then points) and the rating follows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Checklist(models.Model):
    """评查表: scored items; locked once a review has used it (a change is a new checklist)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    # The population (case type) it is made for, e.g. "normative.documents".
    population = models.CharField(_("案卷类型"), max_length=60)
    # Score at or above which a file is 优秀 / 合格 (below: 不合格); a veto item failed is
    # 不合格 whatever the points.
    excellent_min = models.DecimalField(_("优秀分数线"), max_digits=5, decimal_places=1, default=90)
    pass_min = models.DecimalField(_("合格分数线"), max_digits=5, decimal_places=1, default=60)
    locked = models.BooleanField(_("已使用（不可修改）"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评查表")
        verbose_name_plural = _("评查表")
        ordering = ["agency", "population", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="checklist_unique_name"),
            models.CheckConstraint(
                condition=Q(excellent_min__gte=models.F("pass_min")),
                name="checklist_thresholds_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    class Kind(models.TextChoices):
        VETO = "veto", _("否决项")
        POINTS = "points", _("评分项")

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("评查内容"), max_length=300)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    # Points items only: the most a file can get on this item.
    max_points = models.DecimalField(
        _("分值"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    basis = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("评查项目")
        verbose_name_plural = _("评查项目")
        ordering = ["checklist", "order"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "order"], name="checklist_item_order"),
            models.CheckConstraint(
                condition=(Q(kind="veto") & Q(max_points__isnull=True))
                | (Q(kind="points") & Q(max_points__gt=0)),
                name="checklist_item_points_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class ReviewerPoolMember(models.Model):
    """One person in the agency's pool of case-file reviewers (评查人员库)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The unit the reviewer belongs to; never drawn for a file of this unit. Empty for a
    # reviewer from outside the agency's units (e.g. the legal adviser).
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("在库"), default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评查人员")
        verbose_name_plural = _("评查人员")
        ordering = ["agency", "department", "user"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="reviewer_pool_once"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class SamplingPlan(models.Model):
    """抽查方案: what is drawn, how many, and the seed that makes the draw checkable."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        DRAWN = "drawn", _("已抽取并公布")
        COMPLETED = "completed", _("评查完成")

    class Method(models.TextChoices):
        RATE = "rate", _("按比例")
        COUNT = "count", _("按数量")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=200)
    population = models.CharField(_("案卷类型"), max_length=60)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    method = models.CharField(_("抽取方式"), max_length=10, choices=Method.choices)
    # Percent of each stratum (method rate) or the total number of files (method count).
    rate = models.DecimalField(
        _("抽取比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    count = models.PositiveIntegerField(_("抽取数量"), null=True, blank=True)
    min_per_stratum = models.PositiveIntegerField(_("每个单位至少"), default=1)
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("评查表"), on_delete=models.PROTECT, related_name="plans"
    )
    # The seed is made by the system (or typed, e.g. from a public lottery draw) and published
    # with the plan; with `population_digest` it pins the draw.
    seed = models.CharField(_("随机种子"), max_length=64)
    population_size = models.PositiveIntegerField(_("案卷总数"), null=True, blank=True)
    # SHA-256 over the population's references, sorted: the same seed cannot be used again
    # for a different population.
    population_digest = models.CharField(max_length=64, blank=True)
    # The population as drawn from (references and units), published beside the seed.
    population_snapshot = models.JSONField(default=list, blank=True)
    # The reviewer pool as drawn from ([{"user": id, "unit": department id or null}]): the
    # pool changes later, and the reviewers' draw must stay checkable (plan_redraw_check).
    reviewer_snapshot = models.JSONField(default=list, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("抽查方案")
        verbose_name_plural = _("抽查方案")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="sampling_plan_period_order",
            ),
            models.CheckConstraint(
                condition=(Q(method="rate") & Q(rate__gt=0) & Q(rate__lte=100))
                | (Q(method="count") & Q(count__gt=0)),
                name="sampling_plan_size",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | (~Q(population_digest="") & Q(drawn_at__isnull=False)),
                name="sampling_plan_drawn_pinned",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SampledFile(models.Model):
    """A case file drawn by a plan, its reviewer, and the review's result."""

    class State(models.TextChoices):
        PENDING = "pending", _("待评查")
        REVIEWED = "reviewed", _("已评查")

    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="files")
    # "<population key>:<id>" as the owning module's selector gave it, and its label then.
    case_ref = models.CharField(_("案卷"), max_length=80)
    case_label = models.CharField(_("案卷名称"), max_length=300)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    draw_order = models.PositiveIntegerField(_("抽取顺序"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    vetoed = models.BooleanField(_("触及否决项"), default=False)
    rating = models.CharField(_("评查等次"), max_length=10, choices=Rating.choices, blank=True)
    remarks = models.TextField(_("评查意见"), blank=True)
    reviewed_at = models.DateTimeField(_("评查时间"), null=True, blank=True)
    finding = models.OneToOneField(
        "oversight.Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("抽查案卷")
        verbose_name_plural = _("抽查案卷")
        ordering = ["plan", "draw_order"]
        indexes = [models.Index(fields=["reviewer", "state"], name="sampled_file_reviewer")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "case_ref"], name="sampled_file_once"),
            models.UniqueConstraint(fields=["plan", "draw_order"], name="sampled_file_order"),
            models.CheckConstraint(
                condition=Q(state="pending") | (Q(score__isnull=False) & ~Q(rating="")),
                name="sampled_file_reviewed_rated",
            ),
        ]

    def __str__(self) -> str:
        return self.case_label


class ReviewScore(models.Model):
    """One checklist item as scored for one file."""

    sampled_file = models.ForeignKey(SampledFile, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    # Veto items: passed or not; points items: the points given (0..max_points).
    passed = models.BooleanField(null=True, blank=True)
    points = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("评查得分")
        verbose_name_plural = _("评查得分")
        constraints = [
            models.UniqueConstraint(fields=["sampled_file", "item"], name="review_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sampled_file} · {self.item}"
