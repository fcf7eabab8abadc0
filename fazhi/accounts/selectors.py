"""Reads for the administrators' pages, scoped to the agencies they administer."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from fazhi.accounts.models import User
from fazhi.core.models import Membership
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role


def accounts_for_sysadmin(actor: User, *, search: str = "") -> QuerySet[User]:
    ids = agencies_with_role(actor, Role.SYSADMIN)
    qs = (
        User.objects.filter(home_agency_id__in=ids)
        .select_related("home_agency")
        .annotate(
            live_sessions=Count("login_sessions", filter=Q(login_sessions__ended_at__isnull=True))
        )
        .order_by("username")
    )
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(display_name__icontains=search))
    return qs


def access_account(actor: User, user_id) -> User:
    try:
        return accounts_for_sysadmin(actor).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def memberships_for_secadmin(actor: User, *, include_revoked: bool = False) -> QuerySet[Membership]:
    ids = agencies_with_role(actor, Role.SECADMIN)
    qs = Membership.objects.filter(agency_id__in=ids).select_related(
        "user", "agency", "department", "committee", "granted_by"
    )
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.order_by("user__username", "role")


def access_membership(actor: User, membership_id) -> Membership:
    try:
        return memberships_for_secadmin(actor).get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def grantable_user(actor: User, username: str) -> User | None:
    """Users of the security administrator's agencies (by home agency)."""
    ids = agencies_with_role(actor, Role.SECADMIN)
    return User.objects.filter(home_agency_id__in=ids, username=username).first()


def active_roles_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(revoked_at__isnull=True).select_related("department"),
        to_attr="active_memberships",
    )
