"""The ratings panel of the case page: `{% rating_panel case %}` (see _case_panel.html)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("services/ratings/_case_panel_body.html", takes_context=True)
def rating_panel(context, case):
    from fazhi.services.selectors.ratings import case_panel

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {
        "case": case,
        "panel": case_panel(user, case),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
