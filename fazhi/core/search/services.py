"""Writes to the search index: upsert, remove, rebuild.

Domain services call `index_document` / `remove_document` inside the transaction of the change
they make, so a rolled-back change leaves the index as it was. These functions write no audit
event of their own: the index is derived data, and the change that caused the write is the
event on the record (its publication, its withdrawal).
"""

from __future__ import annotations

import re

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.models import Agency
from fazhi.core.search import backends, conf
from fazhi.core.search.models import SearchDocument
from fazhi.core.search.segment import clean_stored, segment_document

# A record not at hand as an instance: ("app_label.model", "id").
TargetRef = tuple[str, str]

_TARGET_TYPE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_TITLE_MAX = SearchDocument._meta.get_field("title").max_length
_URL_MAX = SearchDocument._meta.get_field("url").max_length
_TARGET_ID_MAX = SearchDocument._meta.get_field("target_id").max_length
# Where a cut body may end: the last sentence end within this many characters of the limit.
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_SENTENCE_LOOKBACK = 200


def _target_key(target: models.Model | TargetRef) -> tuple[str, str]:
    if isinstance(target, models.Model):
        if target.pk is None:
            raise InvalidInput(_("记录尚未保存，不能建立检索索引。"), code="search_target_unsaved")
        return target._meta.label_lower, str(target.pk)
    if (
        isinstance(target, tuple)
        and len(target) == 2
        and isinstance(target[0], str)
        and _TARGET_TYPE.match(target[0])
        and 0 < len(str(target[1])) <= _TARGET_ID_MAX
    ):
        return target[0], str(target[1])
    raise InvalidInput(_("检索索引的记录标识无效。"), code="search_target_invalid")


def _internal_url(url: object) -> str:
    # Hits become links on the public portal: only the platform's own paths, never
    # "//host", "javascript:" or an outside address.
    if (
        isinstance(url, str)
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and len(url) <= _URL_MAX
        and not any(ch.isspace() or ord(ch) < 32 or ch == "\x7f" for ch in url)
    ):
        return url
    raise InvalidInput(
        _("检索结果链接必须是本平台的站内路径（以 / 开头）。"), code="search_url_invalid"
    )


def _cut_body(body: str, limit: int) -> str:
    """The body up to `limit` characters, ending at a sentence end when one is near."""
    if len(body) <= limit:
        return body
    cut = body[:limit]
    ends = list(_SENTENCE_END.finditer(cut, max(0, limit - _SENTENCE_LOOKBACK)))
    return cut[: ends[-1].end()] if ends else cut


def index_document(
    *,
    target: models.Model | TargetRef,
    title: str,
    body: str,
    url: str,
    agency: Agency | None,
    is_public: bool,
) -> SearchDocument:
    """Index a record, replacing what was indexed for it before.

    `target` is the record (or its ("app_label.model", id) pair); `agency` None makes the
    document site-wide; `is_public` puts it on the portal's search. Bad input raises
    `InvalidInput` and writes nothing.
    """
    target_type, target_id = _target_key(target)
    title = " ".join(clean_stored(str(title or "")).split())[:_TITLE_MAX]
    if not title:
        raise InvalidInput(_("检索索引需要标题。"), code="search_title_required")
    body = _cut_body(clean_stored(str(body or "")), conf.body_max_chars())
    url = _internal_url(url)
    if agency is not None and not isinstance(agency, Agency):
        raise InvalidInput(_("检索索引的机关无效。"), code="search_agency_invalid")
    # Segmenting takes milliseconds per page of text; done before the row lock is taken.
    segmented = segment_document(title, body)
    with transaction.atomic():
        # update_or_create locks the existing row (select_for_update) and retries the lookup
        # if a concurrent call created it first, so two indexers of one record make one row.
        document, _created = SearchDocument.objects.update_or_create(
            target_type=target_type,
            target_id=target_id,
            defaults={
                "agency": agency,
                "title": title,
                "body": body,
                "segmented": segmented,
                "url": url,
                "is_public": bool(is_public),
            },
        )
    return document


def remove_document(target: models.Model | TargetRef) -> bool:
    """Take a record out of the index; True if it was there."""
    target_type, target_id = _target_key(target)
    with transaction.atomic():
        deleted, _by_model = SearchDocument.objects.filter(
            target_type=target_type, target_id=target_id
        ).delete()
    return deleted > 0


def rebuild_index(*, batch_size: int = 500) -> tuple[int, int]:
    """Segment every document again with the current dictionaries, then make sure the engine's
    structures exist and (SQLite) rebuild the FTS5 index. Returns (documents, re-segmented).

    Run after changing userdict.txt or FAZHI_SEARCH_EXTRA_DICT: documents keep the tokens of
    the dictionary they were indexed with until then.
    """
    total = changed = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                SearchDocument.objects.select_for_update()
                .filter(id__gt=last_id)
                .order_by("id")
                .only("id", "title", "body", "segmented")[:batch_size]
            )
            if not batch:
                break
            stale = []
            for document in batch:
                segmented = segment_document(document.title, document.body)
                if segmented != document.segmented:
                    document.segmented = segmented
                    stale.append(document)
            SearchDocument.objects.bulk_update(stale, ["segmented"])
        total += len(batch)
        changed += len(stale)
        last_id = batch[-1].id
    with transaction.atomic():
        backends.ensure_structures()
    return total, changed
