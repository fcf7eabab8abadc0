"""The annual report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号).

Tables 二, 三 and 四 are computed from the records while the report is drafted; finalising checks
the report's own identities and freezes the tables in `tables`, so a published report never
changes when a record of its year is corrected later. Table 二's rows that no Fazhi module keeps
yet (规章, 行政许可, 行政处罚, 行政强制, 行政事业性收费) are entered by hand in `manual_figures`
and shown as such. OGI Art. 49: published by 31 January of the following year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from fazhi.core.workflow import WorkflowModel


class AnnualReport(WorkflowModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("编制中")
        FINAL = "final", _("已定稿")
        PUBLISHED = "published", _("已公开")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    # The narrative sections written by staff: 一、五、六.
    overview = models.TextField(_("一、总体情况"), blank=True)
    problems = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    other_matters = models.TextField(_("六、其他需要报告的事项"), blank=True)
    # {row key: {column key: number}} for table 二's rows entered by hand.
    manual_figures = models.JSONField(_("手工填报数据"), default=dict, blank=True)
    # The tables as finalised (empty while drafting: they are computed live then).
    tables = models.JSONField(_("定稿数据"), default=dict, blank=True)
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        ordering = ["-year", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="annual_report_one_per_year"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(finalised_at__isnull=False),
                name="annual_report_final_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_on__isnull=False),
                name="annual_report_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度政府信息公开工作年度报告"
