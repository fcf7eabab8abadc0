"""The uploader's file name: checked, made safe to show, and put in a Content-Disposition header.

The name is data only. Content is stored under its SHA-256 and never under this name, so these
rules protect people reading the name (and the header carrying it), not the file system.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput

# Long enough for any real Chinese document title, short enough to fit every list and header.
MAX_NAME_LENGTH = 120
# Names Windows refuses whatever the extension; a user who downloads "CON.pdf" cannot save it.
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
# Characters Windows does not allow in a name; replaced so the saved download keeps its name.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
# Bidirectional overrides let "invoice\u202efdp.exe" display as "invoiceexe.pdf".
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def clean_name(raw: str) -> str:
    """The uploader's name made safe to keep and show, or InvalidInput when it is not a name.

    Refused: path separators and "..", control characters (NUL, line breaks: header injection)
    and bidirectional overrides (a spoofed extension). Repaired: Unicode normalised to NFC,
    characters Windows forbids replaced, leading/trailing dots and spaces trimmed, reserved
    Windows names prefixed, long names shortened with the extension kept.
    """
    name = unicodedata.normalize("NFC", str(raw or ""))
    if "/" in name or "\\" in name or name.strip() in {".", ".."}:
        raise InvalidInput(
            _("文件名不能包含路径（“/”“\\”或“..”），请只用文件本身的名称。"),
            code="file_name_invalid",
        )
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in name):
        raise InvalidInput(
            _("文件名含有控制字符，请改用普通文字命名后重新上传。"), code="file_name_invalid"
        )
    name = _WINDOWS_FORBIDDEN.sub("_", name).strip(" .")
    if not name:
        raise InvalidInput(_("文件名为空，请为文件命名后重新上传。"), code="file_name_invalid")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        stem = "_" + stem
    suffix = f".{ext}" if dot else ""
    if len(suffix) > 16:  # not a real extension: keep it in the stem so it is shortened with it
        stem, suffix = stem + suffix, ""
    stem = stem[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .") or "_"
    return stem + suffix


def extension_of(name: str) -> str:
    """The lower-case extension after the last dot, "" when there is none."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def ascii_fallback(name: str, *, default_stem: str) -> str:
    """A plain-ASCII name for clients that ignore `filename*` (the header's `filename=`)."""
    ext = extension_of(name)
    stem = name[: -(len(ext) + 1)] if ext else name

    def fold(text: str) -> str:
        return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")

    stem = _ASCII_UNSAFE.sub("_", fold(stem)).strip("._")
    ext = _ASCII_UNSAFE.sub("", fold(ext))
    if not any(ch.isalnum() for ch in stem):
        stem = default_stem
    return f"{stem}.{ext}" if ext else stem


def content_disposition(name: str, *, default_stem: str) -> str:
    """`attachment` with an ASCII `filename` and the full name as RFC 6266/5987 `filename*`."""
    fallback = ascii_fallback(name, default_stem=default_stem)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
