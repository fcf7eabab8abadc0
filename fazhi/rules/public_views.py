"""The portal side of normative documents: the library, each document, open consultations."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fazhi.core import ratelimit
from fazhi.core.errors import DomainError
from fazhi.core.search.selectors import search
from fazhi.rules import services
from fazhi.rules.forms import CommentForm
from fazhi.rules.models import Consultation, NormativeDocument
from fazhi.rules.status import badge, superseding_dates

LABEL = "normative.normativedocument"


def library(request: HttpRequest) -> HttpResponse:
    """Published documents, newest first; with a query, ranked full-text hits."""
    query = request.GET.get("q", "").strip()[:100]
    hits = search(query, public_only=True, target_types=[LABEL], limit=50) if query else None
    documents = (
        NormativeDocument.objects.filter(state="issued")
        .select_related("department", "doc_number", "agency")
        .order_by("-published_on", "-pk")[:100]
        if not query
        else None
    )
    return render(
        request, "rules/public/library.html", {"q": query, "hits": hits, "documents": documents}
    )


def document_page(request: HttpRequest, document_id: int) -> HttpResponse:
    document = (
        NormativeDocument.objects.filter(pk=document_id, state="issued")
        .select_related("department", "doc_number", "agency")
        .first()
    )
    if document is None:
        raise Http404
    return render(
        request,
        "rules/public/document.html",
        {
            "document": document,
            "text": document.versions.order_by("-number").first(),
            "badge": badge(document, timezone.localdate(), superseding=superseding_dates(document)),
            "consultation": Consultation.objects.filter(document=document).first(),
        },
    )


def consultations(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = (
        Consultation.objects.filter(
            document__state="consultation", opens_on__lte=today, closes_on__gte=today
        )
        .select_related("document__department", "document__agency")
        .order_by("closes_on")
    )
    return render(request, "rules/public/consultations.html", {"consultations": rows})


@require_http_methods(["GET", "POST"])
def consultation_page(request: HttpRequest, consultation_id: int) -> HttpResponse:
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
