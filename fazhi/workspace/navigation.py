"""The workspace navigation: one entry per module that exists, shown by permission.

A module registers its entry from its AppConfig.ready() with `register()`; nothing is listed
before it exists, so there is never a dead link. Entries are shown in `order`.
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
    # Business modules take 100-899; administration pages 900 and up.
    order: int = 500


_REGISTRY: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _REGISTRY[item.key] = item


def navigation() -> list[NavItem]:
    return sorted(_REGISTRY.values(), key=lambda item: (item.order, item.key))


for _item in (
    NavItem("tasks", _("待办"), "workspace:home", "workspace.view", order=0),
    NavItem("organisation", _("组织机构"), "workspace:organisation", "core.view_organisation", 880),
    NavItem("region", _("辖区机关"), "workspace:region", "core.view_region", order=890),
    NavItem("accounts", _("账号管理"), "workspace:account_list", "accounts.manage_accounts", 900),
    NavItem("roles", _("角色授权"), "workspace:role_list", "accounts.grant_roles", order=910),
    NavItem("audit", _("审计日志"), "workspace:audit_list", "core.view_event", order=920),
):
    register(_item)


def items_for(user, path: str = "") -> list[dict]:
    """The entries this user may open; the longest URL prefix of `path` is marked active."""
    items = [
        {"key": item.key, "label": item.label, "url": reverse(item.url_name), "active": False}
        for item in navigation()
        if user.has_perm(item.permission)
    ]
    matching = [entry for entry in items if path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return items
