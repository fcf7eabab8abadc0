"""Template tags of the oversight pages: the tab bar shared by every area."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (key, label, permission, url name), in the order of the tabs.
TABS = (
    ("findings", _("问题整改"), "oversight.view_findings", "oversight:findings"),
    ("spot_checks", _("案卷评查"), "oversight.view_spot_checks", "oversight:spot_checks"),
    ("visits", _("明察暗访"), "oversight.view_visits", "oversight:visits"),
    ("inspections", _("检查"), "oversight.view_inspections", "oversight:inspections"),
    ("committees", _("居（村）务公开"), "oversight.view_committees", "oversight:committees"),
    ("evaluations", _("综合考评"), "oversight.view_evaluations", "oversight:evaluations"),
)


@register.inclusion_tag("oversight/_tabs.html", takes_context=True)
def oversight_tabs(context, current: str):
    user = context["request"].user
    tabs = []
    for key, label, perm, name in TABS:
        if not user.has_perm(perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an area whose pages are not installed in this build
            continue
        tabs.append({"key": key, "label": label, "url": url, "active": key == current})
    return {"tabs": tabs}
