"""Per-agency values of the legal numbers; defaults and sources live in code (agency_settings)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencySetting(models.Model):
    """An agency's own value for one registered setting. Absent row = the registered default."""

    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="settings_values"
    )
    key = models.CharField(_("设置项"), max_length=80)
    value = models.JSONField(_("取值"))
    reason = models.CharField(_("调整理由"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("机关设置")
        verbose_name_plural = _("机关设置")
        ordering = ["agency", "key"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="agency_setting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.key} = {self.value}"
