"""The append-only, hash-chained event log (security.md "Audit")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a recorded event."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Events are append-only.")

    def delete(self):
        raise AppendOnlyError("Events are append-only.")


class Event(models.Model):
    """One thing that happened: who did what to which record, with the chain hash.

    Written only by `fazhi.core.audit.record`. `hash = SHA-256(prev_hash + canonical JSON)`.
    """

    class Result(models.TextChoices):
        OK = "ok", _("成功")
        FAILED = "failed", _("失败")
        REFUSED = "refused", _("拒绝")

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The name as it was at the time, so the record reads the same after a rename.
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    verb = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=255, blank=True)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.OK)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["agency", "at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Events are append-only.")


class ChainHead(models.Model):
    """The single row that serialises appends: locked, read and moved by every append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # After `fazhi audit prune`, the chain starts after the last pruned event: its seq and hash
    # are kept here so the retained events still verify from their first link.
    anchor_seq = models.PositiveBigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="chain_head_single")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
