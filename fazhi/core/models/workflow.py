"""Parallel opinions (会签 / 或签) on a workflow step, for any record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Countersign(models.Model):
    """A request for opinions from several departments on one record in one state.

    `mode` all: every department must agree (会签); any: one agreement suffices (或签).
    The outcome is set by the opinion that decides it; later opinions are still recorded.
    """

    class Mode(models.TextChoices):
        ALL = "all", _("会签（全部同意）")
        ANY = "any", _("或签（任一同意）")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("征求中")
        AGREED = "agreed", _("同意")
        REJECTED = "rejected", _("不同意")
        CANCELLED = "cancelled", _("已撤销")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    state = models.CharField(_("环节"), max_length=40)
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices)
    outcome = models.CharField(
        _("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    subject = models.CharField(_("事项"), max_length=200)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("会签")
        verbose_name_plural = _("会签")
        indexes = [models.Index(fields=["agency", "target_type", "target_id"])]
        constraints = [
            # One open round per record and step.
            models.UniqueConstraint(
                fields=["target_type", "target_id", "state"],
                condition=Q(outcome="pending"),
                name="countersign_one_open_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_mode_display()}"


class CountersignOpinion(models.Model):
    class Opinion(models.TextChoices):
        PENDING = "pending", _("待签")
        AGREE = "agree", _("同意")
        DISAGREE = "disagree", _("不同意")

    countersign = models.ForeignKey(Countersign, on_delete=models.PROTECT, related_name="opinions")
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    opinion = models.CharField(
        _("意见"), max_length=10, choices=Opinion.choices, default=Opinion.PENDING
    )
    comment = models.TextField(_("意见说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("会签意见")
        verbose_name_plural = _("会签意见")
        constraints = [
            models.UniqueConstraint(
                fields=["countersign", "department"], name="countersign_one_per_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_opinion_display()}"
