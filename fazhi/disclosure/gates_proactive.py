"""The guards of a public record's transitions: each reads the records the services wrote.

Only what happened since the record was last submitted counts (`submitted_at`): a release
given in an earlier round, or a finding of a text that has since been changed, decides nothing.
"""

from __future__ import annotations


def _this_round(queryset, record, field: str):
    if record.submitted_at is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__gte": record.submitted_at})


def has_content(record) -> bool:
    return bool(record.body.strip()) or (record.pk is not None and record.attachments.exists())


def open_findings(record):
    """The findings of the current round still waiting for the reviewer."""
    return _this_round(record.findings.filter(resolution="open"), record, "found_at")


def no_open_finding(record) -> bool:
    return not open_findings(record).exists()


def latest_review(record):
    """The last confidentiality review of the current round, or None."""
    return (
        _this_round(record.reviews.all(), record, "reviewed_at")
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def released(record) -> bool:
    review = latest_review(record)
    return review is not None and review.conclusion == "release"


def sent_back(record) -> bool:
    review = latest_review(record)
    return review is not None and review.conclusion in ("return", "withhold")


def numbered(record) -> bool:
    return bool(record.index_number) and record.published_on is not None


def successor_published(record) -> bool:
    successor = record.superseded_by
    return (
        successor is not None
        and successor.pk != record.pk
        and successor.agency_id == record.agency_id
        and successor.state == "published"
    )
