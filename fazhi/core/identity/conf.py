"""Settings of the identity mechanism, read with their defaults in one place.

The settings modules define the `FAZHI_IDENTITY_*` names; until they do, the defaults here apply.
There is deliberately no default key: without `FAZHI_IDENTITY_KEY` nothing can be encrypted or
revealed, and the deploy check (`identity.E001`) names the missing setting.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32  # AES-256


def identity_key() -> str | None:
    """The current key as configured: base64 of 32 random bytes, or None when unset."""
    value = getattr(settings, "FAZHI_IDENTITY_KEY", None)
    return value or None


def identity_old_keys() -> tuple[str, ...]:
    """Retired keys still accepted for decryption (comma-separated string or a list)."""
    value = getattr(settings, "FAZHI_IDENTITY_OLD_KEYS", ())
    if isinstance(value, str):
        value = value.split(",")
    return tuple(item.strip() for item in value if item and item.strip())


def reveal_reason_max_length() -> int:
    """Longest reason accepted when a full number is revealed."""
    return int(getattr(settings, "FAZHI_IDENTITY_REVEAL_REASON_MAX_LENGTH", 200))


def earliest_birth_year() -> int:
    """Birth years before this are refused in resident ID numbers.

    1800, not 1900: GB 11643's own example (440524188001010014) was born in 1880, and the
    18-digit numbers issued from 1999 include people born before 1900. A wrong century typed
    by mistake is caught by the check digit; this floor catches numbers that are not dates.
    """
    return int(getattr(settings, "FAZHI_IDENTITY_EARLIEST_BIRTH_YEAR", 1800))


def decode_key(text: str, *, name: str) -> bytes:
    """Decode one configured key; refuse anything that is not exactly 32 bytes of base64."""
    cleaned = text.strip()
    try:
        # Both alphabets are accepted: `openssl rand -base64 32` and Python's urlsafe helpers.
        raw = base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(
            f"{name} is not valid base64; generate one with `openssl rand -base64 32`."
        ) from exc
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must decode to {KEY_BYTES} bytes (AES-256), got {len(raw)}; "
            "generate one with `openssl rand -base64 32`."
        )
    return raw
