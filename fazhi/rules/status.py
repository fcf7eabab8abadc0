"""The public status badge of an issued document, derived from its dates and links when read.

有效 / 即将到期 / 失效 / 已废止 / 已修订 are never stored (design principle 4): a missed job can
never leave a wrong badge. "即将到期" starts when the evaluation before expiry starts
(`rules.evaluation_months_before`, default 6 months, 徐汇 practice in domain-rules.md §2.2).
"""

from __future__ import annotations

from datetime import date

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings


class Badge(TextChoices):
    IN_FORCE = "in_force", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("失效")
    REPEALED = "repealed", _("已废止")
    REVISED = "revised", _("已修订")


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the last day of the month when it does not exist)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def evaluation_months(agency) -> int:
    return agency_settings.get(agency, "rules.evaluation_months_before")


def evaluation_starts_on(document, months: int | None = None) -> date | None:
    if document.valid_until is None:
        return None
    if months is None:
        months = evaluation_months(document.agency_id)
    return months_before(document.valid_until, months)


def badge(
    document,
    today: date,
    *,
    superseding: dict[str, date] | None = None,
    months: int | None = None,
) -> Badge | None:
    """The badge of an issued document on `today`; None before publication.

    `superseding` maps "repeals"/"revises" to the publication date of the newer document that
    does so (selectors pass it from the links, so a list needs no query per row); `months`
    is the agency's evaluation lead time, read once for a whole list.
    """
    if document.state != "issued" or document.published_on is None:
        return None
    ended_on = getattr(document, "ended_on", None)
    if ended_on is not None and ended_on <= today:
        # Set from a confirmed evaluation or a published cleanup result, with its basis.
        return Badge.REPEALED if document.ended_as == "repealed" else Badge.EXPIRED
    superseding = superseding or {}
    repealed_on = superseding.get("repeals")
    if repealed_on is not None and repealed_on <= today:
        return Badge.REPEALED
    revised_on = superseding.get("revises")
    if revised_on is not None and revised_on <= today:
        return Badge.REVISED
    if document.valid_until is not None and today > document.valid_until:
        return Badge.EXPIRED
    starts = evaluation_starts_on(document, months)
    if starts is not None and today >= starts:
        return Badge.EXPIRING
    return Badge.IN_FORCE


def superseding_dates(document) -> dict[str, date]:
    """Earliest publication date of an issued newer document per link kind."""
    found: dict[str, date] = {}
    for link in document.links_in.select_related("source").filter(
        source__state="issued", kind__in=["repeals", "revises"]
    ):
        published = link.source.published_on
        if published and (link.kind not in found or published < found[link.kind]):
            found[link.kind] = published
    return found
