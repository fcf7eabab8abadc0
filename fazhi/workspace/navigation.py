"""The workspace navigation: one entry per module that exists, shown by permission.

A module adds its entry here when it lands; nothing is listed before it exists, so there is
never a dead link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    permission: str


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("tasks", _("待办"), "workspace:home", "workspace.view"),
    NavItem("organisation", _("组织机构"), "workspace:organisation", "core.view_organisation"),
    NavItem("region", _("辖区机关"), "workspace:region", "core.view_region"),
    NavItem("accounts", _("账号管理"), "workspace:account_list", "accounts.manage_accounts"),
    NavItem("roles", _("角色授权"), "workspace:role_list", "accounts.grant_roles"),
    NavItem("audit", _("审计日志"), "workspace:audit_list", "core.view_event"),
)


def items_for(user, path: str = "") -> list[dict]:
    """The entries this user may open; the longest URL prefix of `path` is marked active."""
    items = [
        {"key": item.key, "label": item.label, "url": reverse(item.url_name), "active": False}
        for item in NAVIGATION
        if user.has_perm(item.permission)
    ]
    matching = [entry for entry in items if path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return items
