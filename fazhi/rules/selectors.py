"""Reads of normative documents, scoped to what the user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from fazhi.core.tenancy import scope
from fazhi.rules.models import DocumentLink, NormativeDocument


def documents_for(user) -> QuerySet[NormativeDocument]:
    return scope(user, NormativeDocument.objects.select_related("department", "doc_number"))


def report_figures(agency, year: int) -> dict[str, int]:
    """The disclosure annual report's row 行政规范性文件 (table 二, 第二十条第（一）项):
    本年制发件数, 本年废止件数, 现行有效件数 — from the records, never typed in.

    Issued: published within the year. Repealed: repealed by a document published within the
    year, or expired within the year. In force: published by 31 December, valid past it, and
    not repealed or replaced by a document published by then.
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    issued = NormativeDocument.objects.filter(agency=agency, state="issued")
    superseded_by_year_end = DocumentLink.objects.filter(
        kind__in=["repeals", "revises"], source__state="issued", source__published_on__lte=last
    ).values("target_id")
    repealed_in_year = DocumentLink.objects.filter(
        kind="repeals", source__state="issued", source__published_on__range=(first, last)
    ).values("target_id")
    return {
        "issued": issued.filter(published_on__range=(first, last)).count(),
        "repealed": issued.filter(
            Q(pk__in=repealed_in_year) | Q(valid_until__range=(first, last))
        ).count(),
        "in_force": issued.filter(published_on__lte=last, valid_until__gt=last)
        .exclude(pk__in=superseded_by_year_end)
        .count(),
    }


def worklist(user, *, state: str = "") -> QuerySet[NormativeDocument]:
    """The documents the user may see, with what the list shows, in a fixed number of queries."""
    qs = (
        documents_for(user)
        .select_related("consultation", "filing")
        .prefetch_related("reviews")
        .order_by("-created_at", "-pk")
    )
    return qs.filter(state=state) if state else qs


def stage_due_on(document, review_max_workdays: int):
    """The deadline of the stage the document is in, from its records (prefetched).

    `review_max_workdays` is the agency's setting, read once per list, not once per row."""
    from fazhi.core.calendar import add_workdays

    if document.state == "consultation":
        return document.consultation.closes_on
    if document.state == "review":
        reviews = sorted(document.reviews.all(), key=lambda r: (r.started_on, r.pk))
        if reviews:
            return add_workdays(reviews[-1].started_on, review_max_workdays)
    if document.state == "issued" and hasattr(document, "filing"):
        if document.filing.outcome == "pending":
            return document.filing.due_on
    return None
