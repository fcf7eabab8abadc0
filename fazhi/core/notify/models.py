"""Notifications (the inbox and the record of every notice) and their deliveries by channel."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


def validate_internal_path(value: str) -> None:
    """Links in notices point inside the site only: a notice must never send anyone elsewhere."""
    if not value:
        return
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ch.isspace() or ord(ch) < 32 for ch in value)
        or not url_has_allowed_host_and_scheme(value, allowed_hosts=set())
    ):
        raise ValidationError(_("链接必须是本站内以“/”开头的路径。"), code="invalid_url")


class Notification(models.Model):
    """One notice to one person. Also the anchor of deduplication and of deliveries.

    A notice that was not meant for the inbox (`in_inbox` false, e.g. e-mail only) is still
    kept, so that deduplication and the delivery record work the same for every channel.
    """

    agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("机关"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.SlugField(_("类型"), max_length=80)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(
        _("链接"), max_length=500, blank=True, validators=[validate_internal_path]
    )
    # The record the notice is about, named like the audit event's target.
    target_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=255, blank=True)
    in_inbox = models.BooleanField(_("站内消息"), default=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # Same key to the same person means the same notice: a second attempt sends nothing.
    dedupe_key = models.CharField(_("去重键"), max_length=200, null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            # NULL keys never collide, so notices without a key are never deduplicated.
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notify_notification_unique_dedupe"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notify_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="notify_recipient_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Delivery(models.Model):
    """Sending one notification through one outside channel, with its attempts.

    The task that sends locks this row and sends only while it is pending, so a retried or
    redelivered task never sends twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        # Waiting for (another) attempt.
        PENDING = "pending", _("待发送")
        # Handed to the mail server or SMS gateway; never sent again.
        SENT = "sent", _("已发送")
        # Gave up after the last attempt; the error says why.
        FAILED = "failed", _("发送失败")
        # Nothing to send to (no address, account disabled).
        SKIPPED = "skipped", _("未发送")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # Kept in full only while the delivery is pending, then cleared (personal information
    # is kept no longer than the procedure needs); the masked form stays for the record.
    address = models.CharField(_("地址"), max_length=254, blank=True)
    address_masked = models.CharField(_("地址（脱敏）"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("最近尝试"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    message_id = models.CharField(_("消息编号"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notify_delivery_one_per_channel"
            ),
            models.CheckConstraint(
                condition=models.Q(status="sent", sent_at__isnull=False) | ~models.Q(status="sent"),
                name="notify_delivery_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="notify_delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address_masked or '—'}"
