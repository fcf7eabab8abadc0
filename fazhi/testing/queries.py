"""Query-count helpers: list pages must not issue a query per row."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def assert_constant_queries(
    fetch: Callable[[], object], grow: Callable[[int], object], *, extra_rows: int = 10
) -> int:
    """With one row, fetch; add `extra_rows` rows with `grow`, fetch again: same query count.

    Starting from one row, not zero: an empty list rightly skips its prefetches.
    """
    grow(1)
    fetch()  # warm caches (content types, sessions) that are paid once
    before = count_queries(fetch)
    grow(extra_rows)
    after = count_queries(fetch)
    assert after == before, f"query count grew with the data: {before} → {after}"
    return after
