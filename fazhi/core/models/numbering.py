"""Document-number series (统一编号): gap-free per agency, series and year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NumberSeries(models.Model):
    """One series for one agency and year, e.g. 示民规〔2026〕n号. `next_value` moves under lock."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    key = models.SlugField(_("序列"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    prefix = models.CharField(_("机关代字"), max_length=30)
    template = models.CharField(_("格式"), max_length=80, default="{prefix}〔{year}〕{n}号")
    next_value = models.PositiveIntegerField(_("下一个号"), default=1)

    class Meta:
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")
        constraints = [
            models.UniqueConstraint(fields=["agency", "key", "year"], name="series_unique"),
            models.CheckConstraint(condition=Q(next_value__gte=1), name="series_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.year} ({self.key})"

    def render(self, value: int) -> str:
        # GB/T 9704: full year in 六角括号, no leading zeros, no 第.
        return self.template.format(prefix=self.prefix, year=self.year, n=value)


class IssuedNumber(models.Model):
    """A number given out. Never reused; a voided number stays, marked void, with its reason."""

    series = models.ForeignKey(NumberSeries, on_delete=models.PROTECT, related_name="issued")
    value = models.PositiveIntegerField(_("序号"))
    text = models.CharField(_("文号"), max_length=100)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # Empty for numbers drawn by a public submission (e.g. a disclosure request's tracking
    # number on the portal): the audit event names who drew it instead.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("编号时间"), auto_now_add=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("已编文号")
        verbose_name_plural = _("已编文号")
        ordering = ["series", "value"]
        constraints = [
            models.UniqueConstraint(fields=["series", "value"], name="issued_number_unique"),
        ]

    def __str__(self) -> str:
        return self.text + (" （已作废）" if self.voided_at else "")
