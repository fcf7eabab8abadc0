"""Cursor pagination for API collections: stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import binascii

from django.db.models import QuerySet

from fazhi.core.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("分页游标无效。", code="bad_cursor") from exc


def paginate(qs: QuerySet, *, cursor: str | None, limit: int | None) -> dict:
    """Newest first by primary key: `{"items": [...], "next_cursor": str | None}`."""
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"每页条数须在 1 至 {MAX_LIMIT} 之间。", code="bad_limit")
    qs = qs.order_by("-pk")
    if cursor:
        qs = qs.filter(pk__lt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more and rows else None}
