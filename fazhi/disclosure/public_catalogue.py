"""The portal's 政府信息公开目录 (/disclosure/catalogue/): the catalogue of proactively disclosed
information with its filters, each entry's page, and its attachments.

Only what was published is shown. A withdrawn entry stays listed with its public reason (its
attachments are no longer served); a superseded one points to the entry that replaced it.
Anything else (drafts, records under review) is simply not found. Like the rules library, the
portal serves every agency of the deployment and can be narrowed to one (`?agency=<code>`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fazhi.core.files import storage
from fazhi.core.files.views import attachment_response
from fazhi.core.models import Agency
from fazhi.disclosure import selectors
from fazhi.disclosure.models import PublicRecord
from fazhi.disclosure.models.proactive import Category, FiveDisclosures, Validity

PAGE_SIZE = 20


@dataclass(frozen=True)
class Filters:
    """The catalogue's filters read from the query string; what cannot be read is dropped and
    `invalid` says so (a typo in a shared link never gives an error page)."""

    q: str = ""
    category: str = ""
    five_disclosures: str = ""
    topic: str = ""
    year: int | None = None
    agency: str = ""
    invalid: bool = False

    @classmethod
    def parse(cls, data: QueryDict) -> Filters:
        invalid = False
        category = data.get("category", "")
        if category and category not in Category.values:
            category, invalid = "", True
        five = data.get("five_disclosures", "")
        if five and five not in FiveDisclosures.values:
            five, invalid = "", True
        raw_year = data.get("year", "")
        year = None
        if raw_year:
            if raw_year.isascii() and raw_year.isdigit() and 1949 <= int(raw_year) <= 9999:
                year = int(raw_year)
            else:
                invalid = True
        return cls(
            q=data.get("q", "").strip()[:100],
            category=category,
            five_disclosures=five,
            topic=data.get("topic", "").strip()[:40],
            year=year,
            agency=data.get("agency", "").strip()[:40],
            invalid=invalid,
        )

    def params(self) -> dict[str, str]:
        values = {
            "q": self.q,
            "category": self.category,
            "five_disclosures": self.five_disclosures,
            "topic": self.topic,
            "year": str(self.year) if self.year else "",
            "agency": self.agency,
        }
        return {key: value for key, value in values.items() if value}


def _facets() -> dict:
    """Agencies, topics and years that have published entries: three small queries."""
    visible = PublicRecord.objects.filter(state__in=selectors.CATALOGUE_STATES)
    return {
        "agencies": list(
            Agency.objects.filter(pk__in=visible.values("agency_id")).order_by("name")
        ),
        "topics": sorted(set(visible.exclude(topic="").values_list("topic", flat=True))),
        "years": sorted({day.year for day in visible.dates("published_on", "year")}, reverse=True),
    }


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    filters = Filters.parse(request.GET)
    facets = _facets()
    agency = None
    if filters.agency:
        agency = next((a for a in facets["agencies"] if a.code == filters.agency), None)
        if agency is None:
            filters = replace(filters, agency="", invalid=True)
    records = selectors.catalogue(
        agency,
        category=filters.category,
        five_disclosures=filters.five_disclosures,
        topic=filters.topic,
        year=filters.year,
        q=filters.q,
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_labels(list(page.object_list))
    return render(
        request,
        "disclosure/public/catalogue.html",
        {
            "filters": filters,
            "page": page,
            "query": urlencode(filters.params()),
            "facets": facets,
            "categories": Category.choices,
            "five_disclosures": FiveDisclosures.choices,
        },
    )


def _with_labels(records):
    """有效性 as read live (a normative document's from the rules status), as its label."""
    for record in records:
        record.validity_label = Validity(getattr(record, "validity_now", record.validity)).label
    return records


@require_GET
def record_page(request: HttpRequest, record_id: int) -> HttpResponse:
    record = selectors.catalogue_record(record_id)
    if record is None:
        raise Http404
    _with_labels([record])
    published = record.state == PublicRecord.State.PUBLISHED
    successor = record.superseded_by
    return render(
        request,
        "disclosure/public/catalogue_record.html",
        {
            "record": record,
            # Withdrawn information is no longer public: its files go with it.
            "attachments": list(record.attachments.all()) if published else [],
            "successor": successor
            if successor is not None and successor.state == PublicRecord.State.PUBLISHED
            else None,
        },
    )


@require_GET
def attachment(request: HttpRequest, record_id: int, file_id: int) -> HttpResponse:
    """An attachment of a published entry, for anyone; not found in every other case."""
    stored = selectors.catalogue_attachment(record_id, file_id)
    if stored is None:
        raise Http404
    try:
        handle = storage.content_open(stored.sha256)
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return attachment_response(stored, handle)
