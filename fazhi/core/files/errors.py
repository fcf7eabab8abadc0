"""Refusals of the file store that are not the uploader's fault."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import DomainError


class ScanUnavailable(DomainError):
    """The virus scanner is configured but gave no clean answer: the upload is refused (503).

    Failing closed is the point (security.md "Input and files"): an unscanned file never slips
    in because clamd was down.
    """

    code = "file_scan_unavailable"
    status = 503
    default_message = _("病毒检查服务暂不可用，文件未保存，请稍后重试。")
