"""The annual report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号).

Tables 二, 三 and 四 are computed from the records while the report is drafted; finalising checks
the report's own identities and freezes the tables in `tables`, so a published report never
changes when a record of its year is corrected later. Table 二's rows that no Fazhi module keeps
yet (规章, 行政处罚, 行政强制, 行政事业性收费) are entered by hand in `manual_figures` and shown
as such; 行政许可 is counted from the services app's cases. OGI Art. 49: published by
31 January of the following year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from fazhi.core.workflow import Action, Guard, Workflow, WorkflowModel

WRITE_REPORT = "disclosure.write_report"
PUBLISH_REPORT = "disclosure.publish_report"
# The hand-written sections, in the order of the report: 一、五、六.
SECTIONS = ("overview", "problems", "other_matters")


def year_ended(report) -> bool:
    """The statistics period is the calendar year; its figures are final only after it."""
    return timezone.localdate().year > report.year


def sections_written(report) -> bool:
    return all((getattr(report, name) or "").strip() for name in SECTIONS)


def figures_entered(report) -> bool:
    from fazhi.disclosure.selectors import MANUAL_CELLS, manual_value

    return all(
        manual_value(report.manual_figures, row, column) is not None
        for row, columns in MANUAL_CELLS.items()
        for column in columns
    )


def identities_hold(report) -> bool:
    """一＋二＝三（七）＋四 in table 三 and 总计 in table 四, on the tables as they would freeze.
    The computed tables are kept on the instance so the transition freezes what was checked."""
    from fazhi.disclosure.selectors import report_identity_breaks, report_tables_data

    tables = report_tables_data(report.agency, report.year, report.manual_figures)
    report._checked_tables = tables
    return not report_identity_breaks(tables)


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

    # --- transitions: the services validate and write, the guards hold for every path ---

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.FINAL,
        permission=WRITE_REPORT,
        conditions=[
            Guard(
                year_ended,
                _("统计期为公历年度，年度结束后方可定稿。"),
                "year_not_ended",
            ),
            Guard(
                sections_written,
                _("请先填写“一、总体情况”“五、存在的主要问题及改进情况”“六、其他需要报告的事项”。"),
                "sections_required",
            ),
            Guard(figures_entered, _("表二尚有手工填报数据未填写。"), "figures_required"),
            Guard(identities_hold, _("表三或表四的勾稽关系不成立，不能定稿。"), "identity_broken"),
        ],
    )
    def finalise(self, *, actor, comment="", **data):
        """定稿: tables 二、三、四 are frozen as checked, so later corrections of a record of the
        year never change the report."""
        from fazhi.disclosure.selectors import report_tables_data

        tables = getattr(self, "_checked_tables", None)
        self.tables = tables or report_tables_data(self.agency, self.year, self.manual_figures)
        self.finalised_at = timezone.now()
        self.finalised_by = actor

    @transition(
        field=state,
        source=State.FINAL,
        target=State.DRAFT,
        permission=WRITE_REPORT,
    )
    def reopen(self, *, actor, comment="", **data):
        """退回编制 before publication: the tables are computed live again (the frozen copy and
        who finalised it stay in the event history)."""
        self.tables = {}
        self.finalised_at = None
        self.finalised_by = None

    @transition(
        field=state,
        source=State.FINAL,
        target=State.PUBLISHED,
        permission=PUBLISH_REPORT,
    )
    def publish(self, *, actor, comment="", published_on=None, **data):
        """OGI Art. 49: published (by 31 January of the following year)."""
        self.published_on = published_on or timezone.localdate()
        self.published_by = actor

    workflow = Workflow(
        actions=[
            Action("finalise", _("定稿")),
            Action("reopen", _("退回编制"), comment_required=True, kind="return"),
            Action("publish", _("公开")),
        ],
    )
