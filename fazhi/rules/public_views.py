"""The portal side of normative documents: the library with its filters, each document with its
family and public stages, open consultations and adoption reports, and the list in force as
XLSX and PDF.

The portal serves every agency of the deployment: the library shows all of them and can be
narrowed to one (`?agency=<code>`); the list in force is always one agency's, chosen the same
way (the only agency with published documents needs no parameter).
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from fazhi.core import ratelimit
from fazhi.core.errors import DomainError
from fazhi.core.models import Agency
from fazhi.rules import inforce_export, selectors, services
from fazhi.rules.forms import CommentForm
from fazhi.rules.models import DocumentKind
from fazhi.rules.selectors import LibraryFilters
from fazhi.rules.status import Badge

PAGE_SIZE = 20

# Bootstrap colours of the badges; text always says the status too (colour is never alone).
BADGE_CLASS = {
    Badge.IN_FORCE: "text-bg-success",
    Badge.EXPIRING: "text-bg-warning",
    Badge.EXPIRED: "text-bg-secondary",
    Badge.REPEALED: "text-bg-danger",
    Badge.REVISED: "text-bg-info",
}
STATUS_CHOICES = [
    ("current", gettext_lazy("现行有效（有效、即将到期）")),
    ("all", gettext_lazy("全部")),
    *((badge.value, badge.label) for badge in Badge),
]


def status_of(document) -> dict | None:
    """The badge of a row annotated by selectors.with_public_status, for the templates."""
    value = getattr(document, "public_status", "")
    if not value:
        return None
    badge = Badge(value)
    return {"value": badge.value, "label": badge.label, "css": BADGE_CLASS[badge]}


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """Published documents in force by default; filters by status, year, department, kind and
    agency, combined with the full-text query. A filter that cannot be read is ignored, and
    the page says so (never an error page for a typo in a shared link)."""
    today = timezone.localdate()
    filters = LibraryFilters.parse(request.GET)
    truncated = False
    if filters.q:
        matches, truncated = selectors.library_matches(filters, today)
        rows = [{"document": d, "hit": hit, "status": status_of(d)} for d, hit in matches]
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        page = Paginator(selectors.library(filters, today), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        page.object_list = [
            {"document": d, "hit": None, "status": status_of(d)} for d in page.object_list
        ]
    facets = selectors.library_facets()
    return render(
        request,
        "rules/public/library.html",
        {
            "filters": filters,
            "page": page,
            "query": urlencode(filters.params()),
            "truncated": truncated,
            "facets": facets,
            "statuses": STATUS_CHOICES,
            "kinds": DocumentKind.choices,
            "exports": _export_links(filters, facets["agencies"]),
        },
    )


def _export_links(filters: LibraryFilters, agencies: list[Agency]) -> list[dict]:
    """One pair of XLSX/PDF links per agency the list in force can be made for."""
    if filters.agency:
        agencies = [a for a in agencies if a.code == filters.agency]
    single = len(agencies) == 1 and not filters.agency
    return [
        {"agency": agency, "query": "" if single else urlencode({"agency": agency.code})}
        for agency in agencies
    ]


@require_GET
def document_page(request: HttpRequest, document_id: int) -> HttpResponse:
    today = timezone.localdate()
    document = selectors.public_document(document_id, today)
    if document is None:
        raise Http404
    groups = selectors.family(document, today)
    return render(
        request,
        "rules/public/document.html",
        {
            "document": document,
            "text": document.versions.order_by("-number").first(),
            "status": status_of(document),
            "family": [
                {
                    "key": group.key,
                    "label": group.label,
                    "rows": [{"document": d, "status": status_of(d)} for d in group.documents],
                }
                for group in groups
            ],
            "stages": selectors.public_stages(document),
            "report": _published_report(document),
        },
    )


def _published_report(document):
    from fazhi.rules.models import Consultation

    return Consultation.objects.filter(document=document, report_published_at__isnull=False).first()


@require_GET
def consultations(request: HttpRequest) -> HttpResponse:
    """Drafts open for comments, then the adoption reports of finished consultations."""
    reports = Paginator(selectors.adoption_reports(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "rules/public/consultations.html",
        {
            "consultations": selectors.open_consultations(timezone.localdate()),
            "page": reports,
            "query": "",
        },
    )


@require_http_methods(["GET", "POST"])
def consultation_page(request: HttpRequest, consultation_id: int) -> HttpResponse:
    from fazhi.rules.models import Consultation

    consultation = (
        Consultation.objects.filter(pk=consultation_id)
        .exclude(document__state="drafting")
        .select_related("document__department", "document__agency")
        .first()
    )
    if consultation is None:
        raise Http404
    document = consultation.document
    form = CommentForm(request.POST or None, initial={"token": uuid.uuid4().hex})
    status = 200
    if request.method == "POST":
        if not ratelimit.hit(request, "public_form"):
            return render(request, "429.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.comment_submit(
                    consultation=consultation,
                    text=data["text"],
                    name=data["name"],
                    phone=data["phone"],
                    idempotency_key=data["token"],
                    article=data["article"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status if exc.status != 403 else 400
            else:
                messages.success(request, _("意见已提交，感谢您的参与。"))
                return redirect("rules_public:consultation", consultation_id=consultation.pk)
        else:
            status = 400
    return render(
        request,
        "rules/public/consultation.html",
        {
            "consultation": consultation,
            "document": document,
            "text": document.versions.order_by("-number").first(),
            "form": form,
            "is_open": document.state == "consultation" and consultation.is_open(),
        },
        status=status,
    )


# --- The list of documents in force ----------------------------------------------------------


def _in_force_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list of one agency: `?agency=<code>`, or the only agency with published documents.

    An unknown or inactive agency answers 404; with several agencies and none named, the
    library shows one pair of links per agency."""
    code = request.GET.get("agency", "").strip()
    if code:
        agency = Agency.objects.filter(code=code[:40], is_active=True).first()
        if agency is None:
            raise Http404
    else:
        agencies = selectors.library_facets()["agencies"]
        if len(agencies) != 1:
            return redirect(reverse("rules_public:library") + "#in-force")
        agency = agencies[0]
    return inforce_export.download(agency, timezone.localdate(), fmt)


@require_GET
def in_force_xlsx(request: HttpRequest) -> HttpResponse:
    return _in_force_download(request, "xlsx")


@require_GET
def in_force_pdf(request: HttpRequest) -> HttpResponse:
    return _in_force_download(request, "pdf")
