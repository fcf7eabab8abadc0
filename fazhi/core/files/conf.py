"""Site settings of the file store, read at call time so tests may override them.

Each value is a `FAZHI_*` Django setting with the default given here. None is a legal number,
so none is a per-agency setting; the size limit of each use is data in `uses.py`.
"""

from __future__ import annotations

from django.conf import settings

MB = 1024 * 1024


def storage_alias() -> str:
    """Which entry of `STORAGES` holds file content ("default" unless production splits it)."""
    return str(getattr(settings, "FAZHI_FILES_STORAGE", "default"))


def zip_max_entries() -> int:
    """Most entries a DOCX/XLSX/OFD package may list; real documents have a few dozen."""
    return int(getattr(settings, "FAZHI_FILES_ZIP_MAX_ENTRIES", 2000))


def zip_max_uncompressed_bytes() -> int:
    """Most bytes all entries of a package may expand to together (zip-bomb guard)."""
    return int(getattr(settings, "FAZHI_FILES_ZIP_MAX_UNCOMPRESSED", 200 * MB))


def zip_max_ratio() -> int:
    """Highest expansion ratio allowed for one large entry; XML rarely passes 30:1."""
    return int(getattr(settings, "FAZHI_FILES_ZIP_MAX_RATIO", 100))


def zip_ratio_min_bytes() -> int:
    """Entries smaller than this are not ratio-checked: tiny files compress oddly but harmlessly."""
    return int(getattr(settings, "FAZHI_FILES_ZIP_RATIO_MIN_BYTES", 1 * MB))


def clamav_address() -> str:
    """clamd's socket: a path ("/run/clamav/clamd.ctl") or "tcp://host:port"; "" = no scanning."""
    return str(getattr(settings, "FAZHI_CLAMAV_SOCKET", "") or "")


def clamav_timeout_seconds() -> float:
    """How long to wait for clamd to connect and answer before refusing the upload."""
    return float(getattr(settings, "FAZHI_CLAMAV_TIMEOUT", 30))
