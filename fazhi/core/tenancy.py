"""Scoping every query by agency, in one place.

Domain selectors take the acting user and call `scope()`; single records are fetched with
`access()`, which answers 404 both for a missing record and for one the user may not see, so
an id leaks nothing (Zulip's `access_*` pattern).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

from django.db import models
from django.http import Http404

from fazhi.core.models import Agency, Membership
from fazhi.core.roles import Role

M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_fazhi_roles"


def roles_by_agency(user) -> dict[int, frozenset[str]]:
    """{agency_id: roles} of the user's active memberships, memoised on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        found: dict[int, set[str]] = defaultdict(set)
        for agency_id, role in (
            Membership.objects.active().filter(user=user).values_list("agency_id", "role")
        ):
            found[agency_id].add(role)
        cached = {agency_id: frozenset(roles) for agency_id, roles in found.items()}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the memo after a grant or revoke so the next check reads the database."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def all_roles(user) -> frozenset[str]:
    return (
        frozenset().union(*roles_by_agency(user).values()) if roles_by_agency(user) else frozenset()
    )


def has_role(user, *roles: str, agency_id: int | None = None) -> bool:
    held = roles_by_agency(user)
    if agency_id is not None:
        return bool(held.get(agency_id, frozenset()) & set(roles))
    return any(held_roles & set(roles) for held_roles in held.values())


def agencies_with_role(user, *roles: str) -> list[int]:
    return [aid for aid, held in roles_by_agency(user).items() if held & set(roles)]


def readable_agency_ids(user) -> set[int]:
    """Agencies whose records the user may read: their own, plus the region for overseers."""
    own = set(roles_by_agency(user))
    overseen = agencies_with_role(user, Role.DISTRICT_OVERSEER)
    if overseen:
        regions = Agency.objects.filter(id__in=overseen).values_list("region", flat=True)
        own |= set(Agency.objects.filter(region__in=list(regions)).values_list("id", flat=True))
    return own


def writable_agency_ids(user) -> set[int]:
    """Agencies where the user holds a role that may write; overseers never write."""
    return {
        agency_id
        for agency_id, held in roles_by_agency(user).items()
        if held - {Role.DISTRICT_OVERSEER}
    }


def scope(user, queryset: models.QuerySet[M], *, write: bool = False, field: str = "agency"):
    """Restrict a queryset to the agencies the user may read (or write)."""
    ids = writable_agency_ids(user) if write else readable_agency_ids(user)
    return queryset.filter(**{f"{field}_id__in": ids})


def access(
    user, queryset: models.QuerySet[M], pk, *, write: bool = False, field: str = "agency"
) -> M:
    """Fetch one record the user may see; missing and forbidden both raise Http404."""
    try:
        return scope(user, queryset, write=write, field=field).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def primary_agency(user) -> Agency | None:
    """The agency the workspace shows by default: the first of the user's memberships."""
    held = roles_by_agency(user)
    if not held:
        return None
    return Agency.objects.filter(id__in=held).order_by("id").first()
