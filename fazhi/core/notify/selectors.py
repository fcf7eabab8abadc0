"""Reads of the inbox. Everyone sees their own notices only; any other id answers 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from fazhi.core.notify.models import Notification


def inbox_for(user) -> QuerySet[Notification]:
    """The user's inbox, newest first. Rows carry everything the page shows: no joins needed."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, in_inbox=True).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """One indexed COUNT on (recipient, read_at)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True).count()


def access_notification(user, pk, *, for_update: bool = False) -> Notification:
    """One of the user's own notices; another person's and a missing one both raise Http404.

    With `for_update` the row is locked, so the caller must be inside a transaction.
    """
    queryset = inbox_for(user)
    if for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
