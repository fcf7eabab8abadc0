"""Uses of the file store: what may be uploaded where, how large, and who may read it.

A use is data in code. Core registers the general ones below; a domain app registers its own
from `AppConfig.ready()` (e.g. `register_use("disclosure_reply", label=_("答复书"), ...)`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.files import detection
from fazhi.core.files.conf import MB

# can_read(user, stored_file) -> bool; called only after the agency scope has let the user in.
ReadCheck = Callable[[object, object], bool]


@dataclass(frozen=True)
class FileUse:
    purpose: str
    label: str
    allowed_types: frozenset[str]
    max_bytes: int
    can_read: ReadCheck | None = field(default=None, compare=False)

    def allowed_labels(self) -> str:
        return "、".join(t.label for key, t in detection.TYPES.items() if key in self.allowed_types)

    def max_size_text(self) -> str:
        if self.max_bytes % MB == 0:
            return f"{self.max_bytes // MB} MB"
        return f"{self.max_bytes / MB:.1f} MB"


_USES: dict[str, FileUse] = {}
# The purpose is stored in StoredFile.purpose (a 40-character slug).
_PURPOSE = re.compile(r"[a-z0-9_-]{1,40}")


def register_use(
    purpose: str,
    *,
    label,
    allowed_types: Iterable[str],
    max_bytes: int,
    can_read: ReadCheck | None = None,
) -> FileUse:
    """Declare a use. Registering the same purpose again with other rules is a mistake."""
    types = frozenset(allowed_types)
    unknown = types - set(detection.TYPES)
    if unknown:
        raise ImproperlyConfigured(f"File use {purpose!r} names unknown types: {sorted(unknown)}")
    if not _PURPOSE.fullmatch(purpose):
        raise ImproperlyConfigured(
            f"File use purpose must be a slug of 1-40 characters: {purpose!r}"
        )
    if max_bytes <= 0:
        raise ImproperlyConfigured(f"File use {purpose!r} needs a positive max_bytes")
    use = FileUse(purpose, label, types, max_bytes, can_read)
    existing = _USES.get(purpose)
    if existing is not None and (existing != use or existing.can_read is not can_read):
        raise ImproperlyConfigured(f"File use {purpose!r} is already registered differently")
    _USES[purpose] = use
    return use


def get_use(purpose: str) -> FileUse:
    try:
        return _USES[purpose]
    except KeyError:
        raise InvalidInput(
            _("未知的文件用途“%(purpose)s”。") % {"purpose": purpose}, code="file_purpose_unknown"
        ) from None


def all_uses() -> list[FileUse]:
    return sorted(_USES.values(), key=lambda use: use.purpose)


def register_core_uses() -> None:
    """The general uses every app may rely on (called from the app's ready())."""
    register_use(
        "attachment",
        label=_("附件"),
        allowed_types={"pdf", "ofd", "docx", "xlsx", "jpeg", "png"},
        max_bytes=20 * MB,
    )
    register_use("image", label=_("图片"), allowed_types={"jpeg", "png"}, max_bytes=10 * MB)
    register_use("spreadsheet", label=_("表格"), allowed_types={"xlsx"}, max_bytes=10 * MB)
