"""The working-day calendar (WorkCalendar tables) and the clock rules of each procedure.

Only the exceptions to Monday–Friday are stored: a public holiday falling on a weekday, or a
weekend day worked in lieu (调休上班). Everything else follows from the day of the week, which
keeps a year at a dozen rows and lets the engine compute with arithmetic (see workdays.py).
Rows change only through services.py, each change an audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.core.calendar.clock import ClockUnit


class Source(models.TextChoices):
    # Loaded by `fazhi calendar import` from the chinesecalendar package.
    PACKAGE = "package", _("chinesecalendar 软件包")
    # Entered or confirmed by the system administrator.
    MANUAL = "manual", _("管理员维护")


class WorkCalendarYear(models.Model):
    """Whether a year's schedule (the State Council's 放假安排) is known and checked.

    A year without a confirmed row is computed Monday to Friday and every result touching it
    is marked provisional; day rows entered for it are a draft until the year is confirmed.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed = models.BooleanField(_("已确认"), default=False)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1900, year__lte=2199), name="calendar_year_range"
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed=False) | models.Q(confirmed_at__isnull=False),
                name="calendar_year_confirmed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class WorkCalendarDay(models.Model):
    """One exception to Monday–Friday: a weekday off, or a weekend day worked."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"))
    # The holiday's name (春节) or the reason for working (春节调休上班).
    name = models.CharField(_("名称"), max_length=50)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    reason = models.CharField(_("调整理由"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历调整日")
        verbose_name_plural = _("工作日历调整日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    @property
    def matches_weekday_rule(self) -> bool:
        """True when the row says what Monday–Friday would say anyway (it changes nothing)."""
        return self.is_workday == (self.date.weekday() < 5)


class WorkCalendarRevision(models.Model):
    """A single row counting calendar changes; processes compare it to their cached copy.

    Every calendar service locks this row first, which also serialises concurrent edits.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    revision = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作日历版本")
        verbose_name_plural = _("工作日历版本")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="calendar_rev_one")]

    def __str__(self) -> str:
        return str(self.revision)


class ClockRule(models.Model):
    """The clock of one procedure type, as data: unit, budget, extension allowance, pauses.

    A row without agency is the default for everyone (seeded from domain-rules.md); an agency
    may hold its own row for the same procedure, which then wins (`clock_rule_for`).
    """

    agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("机关"),
        help_text=_("留空为全局默认规则；填写则为该机关的专用规则。"),
    )
    procedure = models.SlugField(_("程序代码"), max_length=80)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("计算单位"), max_length=10, choices=ClockUnit.choices)
    budget_days = models.PositiveSmallIntegerField(_("期限天数"))
    max_extension_days = models.PositiveSmallIntegerField(_("最多延长天数"), default=0)
    # Reasons for which the clock may be stopped, e.g. ["征求第三方意见"]; empty = none allowed.
    pause_reasons = models.JSONField(_("可暂停事由"), default=list, blank=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("期限规则")
        verbose_name_plural = _("期限规则")
        ordering = ["procedure", "agency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure"],
                condition=models.Q(agency__isnull=False),
                name="clock_rule_agency_procedure",
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(agency__isnull=True),
                name="clock_rule_default_procedure",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_days__gte=1), name="clock_rule_budget_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit__in=["working", "calendar"]), name="clock_rule_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.budget_days}{ClockUnit(self.unit).label}）"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        reasons = self.pause_reasons
        if not isinstance(reasons, list) or not all(
            isinstance(r, str) and r.strip() for r in reasons
        ):
            raise ValidationError({"pause_reasons": _("可暂停事由应为非空文字组成的列表。")})

    def clock(self, start, *, pauses=(), extensions=()):
        """A Clock under this rule; refuses pause reasons the rule does not allow."""
        from fazhi.core.calendar.clock import Clock, check_pause_reasons

        pauses = tuple(pauses)
        check_pause_reasons(pauses, self.pause_reasons)
        return Clock(
            start=start,
            budget=self.budget_days,
            unit=self.unit,
            pauses=pauses,
            extensions=tuple(extensions),
            max_extension_days=self.max_extension_days,
        )
