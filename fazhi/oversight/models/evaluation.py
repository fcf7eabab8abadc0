"""Comprehensive evaluation (综合考评): versioned schemes of weighted indicators, and a period's
scores per department and per subdistrict with the breakdown behind each.

An indicator's value comes from the registry in `indicators.py` (spot-check results,
rectification on time, supervisor scores, committee disclosure timeliness; later modules add
theirs, e.g. service ratings). A scheme is edited as a draft and locked when it comes into use;
a change is a new version. An evaluation is computed from the records and frozen when
published: its scores are stored, not recomputed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("科室/单位")
    SUBDISTRICT = "subdistrict", _("街道/镇")


class EvaluationScheme(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("使用中")
        RETIRED = "retired", _("已停用")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("方案名称"), max_length=100)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_kind = models.CharField(_("考评对象"), max_length=12, choices=UnitKind.choices)
    description = models.TextField(_("说明"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")
        ordering = ["agency", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name", "version"], name="evaluation_scheme_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class EvaluationIndicator(models.Model):
    scheme = models.ForeignKey(
        EvaluationScheme, on_delete=models.CASCADE, related_name="indicators"
    )
    # A key of the indicator registry (indicators.py), e.g. "spot_check_score".
    key = models.CharField(_("指标"), max_length=40)
    label = models.CharField(_("指标名称"), max_length=100)
    # Percent of the total; a scheme comes into use only when its weights add up to 100.
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["scheme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="evaluation_indicator_once"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="evaluation_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Evaluation(models.Model):
    """One period's evaluation under one scheme version."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        COMPUTED = "computed", _("已计算")
        PUBLISHED = "published", _("已发布")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("考评方案"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=200)
    period_start = models.DateField(_("考评期间起"))
    period_end = models.DateField(_("考评期间止"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("综合考评")
        verbose_name_plural = _("综合考评")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="evaluation_period_order",
            ),
            models.UniqueConstraint(
                fields=["scheme", "period_start", "period_end"], name="evaluation_once_per_period"
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="evaluation_published_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EvaluationScore(models.Model):
    """A unit's score in an evaluation, with the breakdown by indicator."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    unit_kind = models.CharField(max_length=12, choices=UnitKind.choices)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subdistrict = models.ForeignKey(
        "core.Subdistrict", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("排名"))
    # [{"key", "label", "weight", "value", "weighted", "basis": {...}}] per indicator.
    breakdown = models.JSONField(default=list)

    class Meta:
        verbose_name = _("考评得分")
        verbose_name_plural = _("考评得分")
        ordering = ["evaluation", "rank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(unit_kind="department")
                    & Q(department__isnull=False)
                    & Q(subdistrict__isnull=True)
                )
                | (
                    Q(unit_kind="subdistrict")
                    & Q(subdistrict__isnull=False)
                    & Q(department__isnull=True)
                ),
                name="evaluation_score_one_unit",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "department"],
                condition=Q(department__isnull=False),
                name="evaluation_score_department_once",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "subdistrict"],
                condition=Q(subdistrict__isnull=False),
                name="evaluation_score_subdistrict_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department or self.subdistrict} · {self.total}"
