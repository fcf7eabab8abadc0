"""Staff downloads of the list of documents in force (the same files as the portal's)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from fazhi.core.decorators import staff_permission_required
from fazhi.core.models import Agency
from fazhi.core.tenancy import primary_agency, readable_agency_ids
from fazhi.rules import inforce_export


def _agency(request: HttpRequest) -> Agency:
    """`?agency=<id>` among the agencies the user reads, else the workspace's default one."""
    raw = request.GET.get("agency", "").strip()
    if not raw:
        agency = primary_agency(request.user)
    elif raw.isascii() and raw.isdigit() and int(raw) in readable_agency_ids(request.user):
        agency = Agency.objects.filter(pk=int(raw)).first()
    else:
        agency = None
    if agency is None:
        raise Http404
    return agency


@staff_permission_required("normative.view_list")
@require_GET
def in_force_xlsx(request: HttpRequest) -> HttpResponse:
    return inforce_export.download(_agency(request), timezone.localdate(), "xlsx")


@staff_permission_required("normative.view_list")
@require_GET
def in_force_pdf(request: HttpRequest) -> HttpResponse:
    return inforce_export.download(_agency(request), timezone.localdate(), "pdf")
