"""Reads of normative documents, scoped to what the user may see."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

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


# --- The portal: derived status in SQL, library filters, families, public stages -------------

# Status filters of the library; "current" (有效 + 即将到期) is what a citizen sees first.
CURRENT = ("in_force", "expiring")
STATUS_FILTERS: dict[str, tuple[str, ...] | None] = {
    "current": CURRENT,
    "all": None,
    "in_force": ("in_force",),
    "expiring": ("expiring",),
    "expired": ("expired",),
    "repealed": ("repealed",),
    "revised": ("revised",),
}
# Filing outcomes a citizen may see: the correction the government asks for stays internal.
PUBLIC_FILING_OUTCOMES = ("filed", "accepted")
SEARCH_LABEL = "normative.normativedocument"


def evaluation_started_through(today: date, months: int) -> date:
    """The latest `valid_until` whose evaluation before expiry has started by `today`.

    status.badge says 即将到期 from months_before(valid_until, months) on. That day never
    decreases as valid_until grows, so the documents whose evaluation has started are exactly
    those valid until this day or earlier: one date comparison in SQL, for any month lengths.
    """
    from fazhi.rules.status import months_before

    day = months_before(today, -months)  # months later, clamped at the month's end
    while months_before(day, months) > today:
        day -= timedelta(days=1)
    while months_before(day + timedelta(days=1), months) <= today:
        day += timedelta(days=1)
    return day


def _evaluation_months() -> tuple[int, dict[int, list[int]]]:
    """(default months, {months: agency ids that set them}) for every agency in one query.

    agency_settings.get reads one agency per query; a district portal lists many agencies."""
    from fazhi.core import agency_settings
    from fazhi.core.models.agency_settings import AgencySetting

    key = "rules.evaluation_months_before"
    groups: dict[int, list[int]] = {}
    for agency_id, value in AgencySetting.objects.filter(key=key).values_list("agency_id", "value"):
        groups.setdefault(int(value), []).append(agency_id)
    return int(agency_settings.definition(key).default), groups


def with_public_status(queryset: QuerySet, today: date) -> QuerySet:
    """Annotate `public_status` with what status.badge says on `today` ("" before publication),
    by the same rules in the same order, so the library can filter and count in SQL."""
    from django.db.models import Case, CharField, Exists, OuterRef, Value, When

    default, groups = _evaluation_months()
    overridden = [agency_id for ids in groups.values() for agency_id in ids]
    expiring = Q(valid_until__lte=evaluation_started_through(today, default))
    if overridden:
        expiring &= ~Q(agency_id__in=overridden)
    for months, ids in groups.items():
        expiring |= Q(agency_id__in=ids, valid_until__lte=evaluation_started_through(today, months))

    def superseded(kind: str) -> Exists:
        # Only a published newer document counts: a draft that will revise it changes nothing.
        return Exists(
            DocumentLink.objects.filter(
                target=OuterRef("pk"),
                kind=kind,
                source__state="issued",
                source__published_on__lte=today,
            )
        )

    return queryset.annotate(
        public_status=Case(
            When(~Q(state="issued") | Q(published_on__isnull=True), then=Value("")),
            When(ended_on__lte=today, ended_as="repealed", then=Value("repealed")),
            When(ended_on__lte=today, then=Value("expired")),
            When(superseded("repeals"), then=Value("repealed")),
            When(superseded("revises"), then=Value("revised")),
            When(valid_until__lt=today, then=Value("expired")),
            When(expiring, then=Value("expiring")),
            default=Value("in_force"),
            output_field=CharField(),
        )
    )


def public_documents(today: date) -> QuerySet[NormativeDocument]:
    """Published documents of every agency, as the portal shows them, with `public_status`."""
    return with_public_status(
        NormativeDocument.objects.filter(state="issued").select_related(
            "agency", "department", "doc_number"
        ),
        today,
    )


_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@dataclass(frozen=True)
class LibraryFilters:
    """The library's filters, parsed from query parameters (`invalid` names the ones dropped)."""

    q: str = ""
    status: str = "current"
    year: int | None = None
    department: int | None = None
    kind: str = ""
    agency: str = ""
    invalid: tuple[str, ...] = ()

    @classmethod
    def parse(cls, params) -> LibraryFilters:
        from fazhi.rules.models import DocumentKind

        invalid: list[str] = []

        def text(name: str, limit: int) -> str:
            value = params.get(name, "")
            return value.strip()[:limit] if isinstance(value, str) else ""

        def number(name: str, low: int, high: int) -> int | None:
            value = text(name, 12)
            if not value:
                return None
            if value.isascii() and value.isdigit() and low <= int(value) <= high:
                return int(value)
            invalid.append(name)
            return None

        def choice(name: str, allowed, default: str) -> str:
            value = text(name, 40)
            if not value:
                return default
            if value in allowed:
                return value
            invalid.append(name)
            return default

        agency = text("agency", 41)
        if agency and not (len(agency) <= 40 and agency.isascii() and _SLUG.fullmatch(agency)):
            invalid.append("agency")
            agency = ""
        return cls(
            q=text("q", 100),
            status=choice("status", STATUS_FILTERS, "current"),
            year=number("year", 1949, 2999),
            department=number("department", 1, 2**31 - 1),
            kind=choice("kind", DocumentKind.values, ""),
            agency=agency,
            invalid=tuple(invalid),
        )

    def params(self) -> dict[str, str]:
        """The non-default filters as query parameters (for pagination and export links)."""
        values = {
            "q": self.q,
            "status": "" if self.status == "current" else self.status,
            "year": str(self.year or ""),
            "department": str(self.department or ""),
            "kind": self.kind,
            "agency": self.agency,
        }
        return {name: value for name, value in values.items() if value}


def library(filters: LibraryFilters, today: date) -> QuerySet[NormativeDocument]:
    """Published documents matching the filters (not the text query), newest first."""
    qs = public_documents(today)
    statuses = STATUS_FILTERS[filters.status]
    if statuses is not None:
        qs = qs.filter(public_status__in=statuses)
    if filters.year is not None:
        qs = qs.filter(published_on__range=(date(filters.year, 1, 1), date(filters.year, 12, 31)))
    if filters.department is not None:
        qs = qs.filter(department_id=filters.department)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.agency:
        qs = qs.filter(agency__code=filters.agency)
    return qs.order_by("-published_on", "-pk")


def library_matches(filters: LibraryFilters, today: date) -> tuple[list, bool]:
    """With a text query: [(document, hit)] best first, and whether the ranking was cut.

    The index ranks at most FAZHI_SEARCH_MAX_LIMIT hits in one call; the filters apply to
    those, so a query matching more documents filters only the most relevant ones."""
    from fazhi.core.search import conf
    from fazhi.core.search.selectors import search

    limit = conf.max_limit()
    hits = search(filters.q, public_only=True, target_types=[SEARCH_LABEL], limit=limit)
    ids = [int(hit.target_id) for hit in hits if hit.target_id.isdigit()]
    found = {document.pk: document for document in library(filters, today).filter(pk__in=ids)}
    matches = [
        (found[int(hit.target_id)], hit)
        for hit in hits
        if hit.target_id.isdigit() and int(hit.target_id) in found
    ]
    return matches, len(hits) >= limit


def library_facets() -> dict[str, list]:
    """What the filter form offers: years, departments and agencies with published documents."""
    from fazhi.core.models import Agency, Department

    issued = NormativeDocument.objects.filter(state="issued", published_on__isnull=False)
    years = sorted({day.year for day in issued.dates("published_on", "year")}, reverse=True)
    departments = list(
        Department.objects.filter(pk__in=issued.values("department_id"))
        .select_related("agency")
        .order_by("agency__name", "sort_order", "name")
    )
    agencies = list(
        Agency.objects.filter(is_active=True, pk__in=issued.values("agency_id")).order_by("name")
    )
    return {"years": years, "departments": departments, "agencies": agencies}


def public_document(document_id, today: date) -> NormativeDocument | None:
    """One published document with `public_status`, or None (drafts are never public)."""
    try:
        return public_documents(today).filter(pk=int(document_id)).first()
    except (TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class FamilyGroup:
    key: str  # "revises" (this document revises them) … "revised_by" (they revise it) …
    label: str
    documents: list


# (link kind, group key, label) seen from the document: the links it makes, then those to it.
_FAMILY_OUT = (
    ("revises", "revises", gettext_lazy("本文件修订了")),
    ("repeals", "repeals", gettext_lazy("本文件废止了")),
    ("based_on", "based_on", gettext_lazy("本文件的制定依据")),
)
_FAMILY_IN = (
    ("revises", "revised_by", gettext_lazy("修订本文件的文件")),
    ("repeals", "repealed_by", gettext_lazy("废止本文件的文件")),
    ("based_on", "basis_for", gettext_lazy("以本文件为依据的文件")),
)


def family(document: NormativeDocument, today: date) -> list[FamilyGroup]:
    """The published documents this one revises, repeals or rests on, and those that revise,
    repeal or rest on it, each with `public_status` (two queries). Drafts never appear: a link
    counts only when both ends are published."""
    links = list(
        DocumentLink.objects.filter(Q(source=document) | Q(target=document))
        .filter(source__state="issued", target__state="issued")
        .values_list("source_id", "target_id", "kind")
    )
    if not links:
        return []
    others = {source if target == document.pk else target for source, target, _kind in links}
    relatives = {
        relative.pk: relative for relative in public_documents(today).filter(pk__in=others)
    }
    groups: list[FamilyGroup] = []
    for outgoing, specs in ((True, _FAMILY_OUT), (False, _FAMILY_IN)):
        for kind, key, label in specs:
            ids = {
                target if outgoing else source
                for source, target, link_kind in links
                if link_kind == kind and (source if outgoing else target) == document.pk
            }
            members = sorted(
                (relatives[pk] for pk in ids if pk in relatives),
                key=lambda d: (d.published_on, d.pk),
                reverse=True,
            )
            if members:
                groups.append(FamilyGroup(key, str(label), members))
    return groups


@dataclass(frozen=True)
class PublicStage:
    key: str
    label: str
    on: date | None
    detail: str = ""
    until: date | None = None
    consultation_id: int | None = None  # where the adoption report is published


def public_stages(document: NormativeDocument) -> list[PublicStage]:
    """The public steps of a published document with their dates, from its records (4 queries):
    consultation (or the approved ground for skipping it) with the adoption report, the passed
    legality review, the adopting decision, publication, entry into force, validity, filing
    (when public) and the end by repeal or declared invalidity, with its basis."""
    from django.utils.translation import gettext as _

    from fazhi.rules.models import CollectiveDecision, Consultation, Filing, LegalityReview

    stages: list[PublicStage] = []
    consultation = Consultation.objects.filter(document=document).first()
    if consultation is not None:
        stages.append(
            PublicStage(
                "consultation",
                _("公开征求意见"),
                consultation.opens_on,
                consultation.rule,
                until=consultation.closes_on,
                consultation_id=consultation.pk if consultation.report_published_at else None,
            )
        )
    elif document.exemption_ground:
        stages.append(
            PublicStage("exemption", _("未公开征求意见"), None, document.exemption_ground)
        )
    review = (
        LegalityReview.objects.filter(document=document, opinion="pass")
        .order_by("-decided_on", "-pk")
        .first()
    )
    if review is not None:
        stages.append(PublicStage("review", _("合法性审核通过"), review.decided_on))
    decision = (
        CollectiveDecision.objects.filter(document=document, adopted=True)
        .order_by("-meeting_date", "-pk")
        .first()
    )
    if decision is not None:
        stages.append(
            PublicStage(
                "decision",
                _("集体讨论决定"),
                decision.meeting_date,
                str(decision.get_meeting_display()),
            )
        )
    stages += [
        PublicStage(
            "published",
            _("公布"),
            document.published_on,
            document.doc_number.text if document.doc_number_id else "",
        ),
        PublicStage("effective", _("施行"), document.effective_on),
        PublicStage("valid_until", _("有效期至"), document.valid_until),
    ]
    filing = Filing.objects.filter(document=document, outcome__in=PUBLIC_FILING_OUTCOMES).first()
    if filing is not None:
        stages.append(
            PublicStage("filing", _("报送备案"), filing.filed_on, str(filing.get_outcome_display()))
        )
    if document.ended_on is not None:
        stages.append(
            PublicStage(
                "ended",
                str(document.get_ended_as_display()) or _("废止或宣布失效"),
                document.ended_on,
                document.ended_basis,
            )
        )
    return stages


def open_consultations(today: date):
    """Drafts open for comments today, closing soonest first."""
    from fazhi.rules.models import Consultation

    return (
        Consultation.objects.filter(
            document__state="consultation", opens_on__lte=today, closes_on__gte=today
        )
        .select_related("document__department", "document__agency")
        .order_by("closes_on", "pk")
    )


def adoption_reports():
    """Published adoption reports (意见采纳情况说明), newest first, with the answer counts.

    A document sent back to drafting is not public until it is consulted again."""
    from django.db.models import Count

    from fazhi.rules.models import Consultation

    return (
        Consultation.objects.filter(report_published_at__isnull=False)
        .exclude(document__state="drafting")
        .select_related("document__department", "document__agency")
        .annotate(
            comment_count=Count("comments"),
            adopted_count=Count("comments", filter=Q(comments__response="adopted")),
            partly_count=Count("comments", filter=Q(comments__response="partly")),
            not_adopted_count=Count("comments", filter=Q(comments__response="not_adopted")),
        )
        .order_by("-report_published_at", "-pk")
    )


def in_force(agency, today: date) -> QuerySet[NormativeDocument]:
    """The agency's documents in force on `today` (有效 and 即将到期), newest first."""
    return (
        public_documents(today)
        .filter(agency=agency, public_status__in=CURRENT)
        .order_by("-published_on", "-pk")
    )


def case_files(agency, start: date, end: date):
    """The population "normative.documents" of spot checks (案卷评查): documents issued
    (published) from `start` to `end`, each handled by its drafting department."""
    from fazhi.oversight.populations import CaseFile

    rows = (
        NormativeDocument.objects.filter(
            agency=agency,
            state="issued",
            published_on__gte=start,
            published_on__lte=end,
        )
        .select_related("doc_number")
        .order_by("published_on", "pk")
    )
    return [
        CaseFile(
            ref=f"normative.documents:{doc.pk}",
            label=f"{doc.doc_number.text if doc.doc_number_id else ''} {doc.title}".strip()[:300],
            department_id=doc.department_id,
            day=doc.published_on,
        )
        for doc in rows
    ]
