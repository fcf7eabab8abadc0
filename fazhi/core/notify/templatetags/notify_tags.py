"""`{% unread_count %}` and `{% notify_bell %}` for the staff header (no context processor)."""

from __future__ import annotations

from django import template

from fazhi.core.notify import selectors

register = template.Library()

_CACHE_ATTR = "_fazhi_unread_count"


def _count(context) -> int:
    """Counted once per request however often the page asks."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if user is None:
        return 0
    if request is None:
        return selectors.unread_count(user)
    if not hasattr(request, _CACHE_ATTR):
        setattr(request, _CACHE_ATTR, selectors.unread_count(user))
    return getattr(request, _CACHE_ATTR)


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    """The signed-in user's unread notices."""
    return _count(context)


@register.inclusion_tag("notify/_bell.html", takes_context=True)
def notify_bell(context, oob: bool = False) -> dict:
    """The header's bell link with the unread count; `oob=True` for an htmx out-of-band swap."""
    return {"count": _count(context), "oob": oob}
