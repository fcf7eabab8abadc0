"""Reads of the service centers, scoped by agency, with their joins (constant queries).

Staff read the centers of the agencies they work with services in (district overseers: their
region); the portal reads active centers of active agencies that offer at least one bookable
item in use.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from fazhi.core.tenancy import access
from fazhi.services.models import CenterItem, ServiceCenter
from fazhi.services.selectors import reading_agency_ids


def centers_for(user) -> QuerySet[ServiceCenter]:
    return ServiceCenter.objects.filter(agency_id__in=reading_agency_ids(user)).select_related(
        "agency", "subdistrict"
    )


def access_center(user, center_id) -> ServiceCenter:
    """A center the user reads; 404 for a missing one and for one of another agency."""
    return access(user, centers_for(user), center_id)


def center_list(user, agency) -> QuerySet[ServiceCenter]:
    """The agency's centers with how many items each takes and how many are bookable."""
    return (
        centers_for(user)
        .filter(agency=agency)
        .annotate(
            item_count=Count("items", distinct=True),
            bookable_count=Count(
                "items",
                filter=Q(items__bookable=True, items__item__active=True),
                distinct=True,
            ),
        )
        .order_by("-active", "name", "pk")
    )


def center_items(center: ServiceCenter) -> QuerySet[CenterItem]:
    return (
        CenterItem.objects.filter(center=center)
        .select_related("item", "item__department")
        .order_by("item__power_code", "item__name", "pk")
    )


def access_center_item(user, center_item_id) -> CenterItem:
    return access(
        user,
        CenterItem.objects.filter(agency_id__in=reading_agency_ids(user)).select_related(
            "center", "center__agency", "item", "item__department"
        ),
        center_item_id,
    )


# --- Public -------------------------------------------------------------------------------------


def _bookable_items():
    return CenterItem.objects.filter(bookable=True, item__active=True)


def public_centers(agency=None) -> QuerySet[ServiceCenter]:
    """Centers a citizen may book at: active, of an active agency, with a bookable item."""
    centers = ServiceCenter.objects.filter(active=True, agency__is_active=True).filter(
        Exists(_bookable_items().filter(center_id=OuterRef("pk")))
    )
    if agency is not None:
        centers = centers.filter(agency=agency)
    return centers.select_related("agency", "subdistrict").order_by("agency_id", "name", "pk")


def public_center(center_id) -> ServiceCenter | None:
    if not isinstance(center_id, int):
        return None
    return public_centers().filter(pk=center_id).first()


def public_center_items(center: ServiceCenter) -> QuerySet[CenterItem]:
    return (
        _bookable_items()
        .filter(center=center)
        .select_related("item", "item__department", "center")
        .order_by("item__power_code", "item__name", "pk")
    )


def public_center_item(center: ServiceCenter, item_id) -> CenterItem | None:
    if not isinstance(item_id, int):
        return None
    return public_center_items(center).filter(item_id=item_id).first()
