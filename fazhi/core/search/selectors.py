"""Reading the search index: ranked, highlighted hits.

The caller decides the scope (`agency_ids`, `public_only`, `target_types`) from the acting
user: the portal passes `public_only=True`; a staff page passes the agencies the user may read
and the record types the user may open. `agency_ids=None` means every agency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.search import backends, conf
from fazhi.core.search.highlight import highlight, snippet
from fazhi.core.search.segment import parse_query


@dataclass(frozen=True)
class Hit:
    target_type: str
    target_id: str
    title: str
    url: str
    # Escaped text with <mark> around matched words; safe to render as is.
    snippet_html: SafeString
    # Higher is better; comparable within one result list, not across backends.
    rank: float
    # The title escaped with its matched words marked.
    title_html: SafeString


def _scope(
    agency_ids: Iterable[int] | None, public_only: bool, target_types: Iterable[str] | None
) -> backends.Scope:
    try:
        agencies = None if agency_ids is None else tuple(sorted({int(a) for a in agency_ids}))
        types = None if target_types is None else tuple(sorted({str(t) for t in target_types}))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("检索范围无效。"), code="search_bad_scope") from exc
    return backends.Scope(agencies, bool(public_only), types)


def _page(limit: int, offset: int) -> tuple[int, int]:
    if not isinstance(limit, int) or not isinstance(offset, int) or limit < 1 or offset < 0:
        raise InvalidInput(_("分页参数无效。"), code="search_bad_page")
    if offset > conf.max_offset():
        raise InvalidInput(
            _("最多显示前 %(n)d 条结果，请增加关键词缩小范围。") % {"n": conf.max_offset()},
            code="search_offset_too_deep",
        )
    return min(limit, conf.max_limit()), offset


def _query_text(query: object) -> str:
    if query is None:
        return ""
    if not isinstance(query, str):
        raise InvalidInput(_("检索词必须是文字。"), code="search_bad_query")
    return query


def search(
    query: str,
    *,
    agency_ids: Iterable[int] | None = None,
    public_only: bool = False,
    target_types: Iterable[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """Documents containing every word of the query, best first.

    The query is segmented like the documents; an empty or blank query finds nothing (no
    error); a query longer than FAZHI_SEARCH_QUERY_MAX_CHARS is cut; any characters, FTS or
    tsquery syntax included, are searched as text. Site-wide documents (agency None) are in
    every agency's scope.
    """
    limit, offset = _page(limit, offset)
    scope = _scope(agency_ids, public_only, target_types)
    parsed = parse_query(_query_text(query))
    if not parsed:
        return []
    width = conf.snippet_chars()
    return [
        Hit(
            target_type=target_type,
            target_id=target_id,
            title=title,
            url=url,
            snippet_html=snippet(body, parsed.terms, width),
            rank=float(score),
            title_html=highlight(title, parsed.terms),
        )
        for _id, target_type, target_id, title, url, body, score in backends.run_search(
            parsed, scope, limit=limit, offset=offset
        )
    ]


def search_count(
    query: str,
    *,
    agency_ids: Iterable[int] | None = None,
    public_only: bool = False,
    target_types: Iterable[str] | None = None,
) -> int:
    """How many documents `search` would page through for the same arguments."""
    scope = _scope(agency_ids, public_only, target_types)
    parsed = parse_query(_query_text(query))
    if not parsed:
        return 0
    return backends.run_count(parsed, scope)
