"""Settings of the search mechanism, read at call time so tests can override them.

Every value has a default here; a deployment changes one through the FAZHI_SEARCH_* setting of
the same name.
"""

from __future__ import annotations

from django.conf import settings


def body_max_chars() -> int:
    """Characters of a record's text kept for indexing and snippets; the rest is not searched."""
    return int(getattr(settings, "FAZHI_SEARCH_BODY_MAX_CHARS", 20_000))


def query_max_chars() -> int:
    """Characters of a query considered; a pasted page of text is cut, not refused."""
    return int(getattr(settings, "FAZHI_SEARCH_QUERY_MAX_CHARS", 100))


def query_max_terms() -> int:
    """Words of a query that take part in matching; each is one AND-ed condition."""
    return int(getattr(settings, "FAZHI_SEARCH_QUERY_MAX_TERMS", 12))


def max_limit() -> int:
    """Largest page of hits one call returns."""
    return int(getattr(settings, "FAZHI_SEARCH_MAX_LIMIT", 100))


def max_offset() -> int:
    """Deepest offset served: ranking everything to reach page 500 is wasted work."""
    return int(getattr(settings, "FAZHI_SEARCH_MAX_OFFSET", 1_000))


def snippet_chars() -> int:
    """Length of the highlighted excerpt shown under each hit."""
    return int(getattr(settings, "FAZHI_SEARCH_SNIPPET_CHARS", 120))


def extra_dictionary() -> str:
    """Path of a deployment's own jieba user dictionary, loaded after the bundled one."""
    return str(getattr(settings, "FAZHI_SEARCH_EXTRA_DICT", "") or "")
