"""Masked forms for lists, exports and logs (security.md "Personal information").

A mask never raises and never shows more than the standard form: lists must render even for
legacy values that are not valid numbers, so an unexpected shape is masked more, not less.
"""

from __future__ import annotations

from fazhi.core.identity.validators import canonical

MASK_CHAR = "*"


def _mask(text: str, head: int, tail: int) -> str:
    hidden = len(text) - head - tail
    return text[:head] + MASK_CHAR * hidden + text[len(text) - tail :]


def _fallback(text: str, head: int, tail: int) -> str:
    # At least half of an unexpected value stays hidden, however short it is.
    quarter = len(text) // 4
    return _mask(text, min(head, quarter), min(tail, quarter))


def mask_resident_id(value: object) -> str:
    """`310***********123X`: the first 3 and last 4 characters shown (region and check)."""
    text = canonical(value)
    return _mask(text, 3, 4) if len(text) == 18 else _fallback(text, 3, 4)


def mask_credit_code(value: object) -> str:
    """`9135**********0Y43`: registration type and province, and the last 4 characters."""
    text = canonical(value)
    return _mask(text, 4, 4) if len(text) == 18 else _fallback(text, 4, 4)


def mask_phone(value: object) -> str:
    """`138****5678` for a mobile; `021****5678` for a landline: first 3 and last 4 digits."""
    text = canonical(value)
    if text.startswith("+86"):
        text = text[3:]
    text = text.replace("-", "")
    return _mask(text, 3, 4) if len(text) >= 10 else _fallback(text, 3, 4)


def mask_other_id(value: object) -> str:
    """Other documents: the first and the last 2 characters of a long enough number."""
    text = canonical(value)
    return _fallback(text, 1, 2) if len(text) < 8 else _mask(text, 1, 2)
