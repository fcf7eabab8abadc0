"""Reads of the power list and the guides, scoped by agency, with their joins (constant queries)."""

from __future__ import annotations

from django.db.models import Q

from fazhi.core.models import Agency
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, readable_agency_ids
from fazhi.services import permissions
from fazhi.services.models import Power, PowerList, ServiceGuide, ServiceItem


def reading_agency_ids(user) -> list[int]:
    ids = readable_agency_ids(user)
    if agencies_with_role(user, Role.DISTRICT_OVERSEER):
        return sorted(ids)
    return sorted(a for a in ids if permissions.may_read(user, a))


def agency_for(user, wanted=None) -> Agency | None:
    ids = reading_agency_ids(user)
    if wanted is not None:
        return Agency.objects.filter(pk=wanted, pk__in=ids).first()
    return Agency.objects.filter(pk__in=ids).order_by("pk").first()


def versions(agency):
    return PowerList.objects.filter(agency=agency).order_by("-version")


def powers(power_list, *, kind: str = "", department: int | None = None, q: str = ""):
    qs = Power.objects.filter(power_list=power_list).select_related("department")
    if kind:
        qs = qs.filter(kind=kind)
    if department:
        qs = qs.filter(department_id=department)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(basis__icontains=q))
    return qs.order_by("sort_order", "pk")


def items(agency):
    return (
        ServiceItem.objects.filter(agency=agency)
        .select_related("department")
        .order_by("power_code", "pk")
    )


def guides_by_item(item_ids) -> dict[int, dict[str, ServiceGuide]]:
    out: dict[int, dict[str, ServiceGuide]] = {}
    for guide in ServiceGuide.objects.filter(item_id__in=list(item_ids)).exclude(
        state="superseded"
    ):
        out.setdefault(guide.item_id, {})[guide.state] = guide
    return out


# --- Public -------------------------------------------------------------------------------------


def public_list(agency) -> PowerList | None:
    return (
        PowerList.objects.filter(agency=agency, state=PowerList.State.PUBLISHED)
        .order_by("-version")
        .first()
    )


def public_guides(agency=None):
    qs = ServiceGuide.objects.filter(state=ServiceGuide.State.PUBLISHED, item__active=True)
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.select_related("item", "item__department", "agency")
