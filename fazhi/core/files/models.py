"""Stored files: one row per upload, pointing at content stored once per SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """One upload by one user for one use. Content is shared by every row with the same hash.

    Written only by `services.file_store`; never changed or deleted afterwards (the record that
    cites a file keeps citing the same bytes).
    """

    class ScanStatus(models.TextChoices):
        # clamd scanned the bytes and found nothing.
        CLEAN = "clean", _("已查毒")
        # No scanner is configured on this installation; the file was stored unscanned.
        SKIPPED = "skipped", _("未配置查毒")

    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="stored_files", verbose_name=_("机关")
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    # The canonical type detected from the bytes, never the type the client claimed.
    content_type = models.CharField(_("类型"), max_length=100)
    extension = models.CharField(_("扩展名"), max_length=10)
    # The uploader's name, cleaned for display; data only, never a path.
    original_name = models.CharField(_("原文件名"), max_length=255)
    purpose = models.SlugField(_("用途"), max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    scan_status = models.CharField(_("查毒结果"), max_length=10, choices=ScanStatus.choices)

    class Meta:
        verbose_name = _("文件")
        verbose_name_plural = _("文件")
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "sha256"], name="files_agency_sha256"),
            models.Index(fields=["agency", "purpose", "-uploaded_at"], name="files_agency_purpose"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="files_size_positive"),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="files_sha256_hex"
            ),
            models.CheckConstraint(
                condition=models.Q(scan_status__in=["clean", "skipped"]),
                name="files_scan_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(original_name=""), name="files_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
