"""Reads of core records for the workspace pages."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from fazhi.core.models import Agency, Committee, Event, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, readable_agency_ids


def events_for_auditor(
    auditor,
    *,
    verb: str = "",
    actor: str = "",
    result: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Event]:
    """Audit events of the auditor's agencies, newest first, with the site-wide security events
    (failed logins, lockouts, refusals before login) that belong to no agency."""
    agency_ids = agencies_with_role(auditor, Role.AUDITOR)
    qs = (
        Event.objects.filter(Q(agency_id__in=agency_ids) | Q(agency__isnull=True))
        .select_related("agency")
        .order_by("-seq")
    )
    if verb:
        qs = qs.filter(verb__startswith=verb)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if result:
        qs = qs.filter(result=result)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return qs


def organisation_for(user) -> QuerySet[Agency]:
    """The user's agencies with their departments, subdistricts and committees."""
    return (
        Agency.objects.filter(id__in=readable_agency_ids(user), is_active=True)
        .prefetch_related(
            "departments",
            Prefetch(
                "subdistricts",
                queryset=Subdistrict.objects.prefetch_related(
                    Prefetch("committees", queryset=Committee.objects.order_by("name"))
                ),
            ),
        )
        .order_by("name")
    )


def region_agencies(user) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(id__in=readable_agency_ids(user))
        .annotate(
            department_count=Count("departments", distinct=True),
            subdistrict_count=Count("subdistricts", distinct=True),
        )
        .order_by("region", "name")
    )
