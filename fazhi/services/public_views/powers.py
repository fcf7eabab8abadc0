"""The public power list and service guides: only published versions, no login, phone-first."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from fazhi.core.models import Agency
from fazhi.services import selectors
from fazhi.services.models import PowerKind


def _int(value):
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def power_list(request):
    agencies = list(Agency.objects.filter(power_lists__state="published").distinct().order_by("pk"))
    wanted = _int(request.GET.get("agency"))
    agency = next((a for a in agencies if a.pk == wanted), agencies[0] if agencies else None)
    q = request.GET.get("q", "")[:100].strip()
    kind = request.GET.get("kind", "")
    kind = kind if kind in PowerKind.values else ""
    current = selectors.public_list(agency) if agency else None
    groups = []
    guides = []
    if current is not None:
        rows = list(selectors.powers(current, kind=kind, q=q))
        labels = dict(PowerKind.choices)
        by_kind: dict[str, list] = {}
        for power in rows:
            by_kind.setdefault(power.kind, []).append(power)
        groups = [(labels[k], by_kind[k]) for k in PowerKind.values if k in by_kind]
        guides = selectors.public_guides(agency).order_by("item__power_code", "item__name")
        if q:
            guides = guides.filter(item__name__icontains=q)
    return render(
        request,
        "services/public/powers.html",
        {
            "agencies": agencies,
            "agency": agency,
            "current": current,
            "groups": groups,
            "guides": guides,
            "q": q,
            "kind": kind,
            "kinds": PowerKind.choices,
        },
    )


def guide(request, item_id: int):
    found = selectors.public_guides().filter(item_id=item_id).first()
    if found is None:
        raise Http404
    return render(request, "services/public/guide.html", {"guide": found, "item": found.item})
