"""Guards of the rectification workflow: pure reads of the record, no writes."""

from __future__ import annotations


def has_measures(rectification) -> bool:
    return bool((rectification.measures or "").strip())


def has_completion_evidence(rectification) -> bool:
    if not (rectification.completion_note or "").strip() or rectification.pk is None:
        return False
    return rectification.completion_files.exists()
