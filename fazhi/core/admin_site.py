"""The /admin/ site: reference data only, for the system administrator.

Business records never appear here; they change only through their services. The site is open to
the installation superuser and to system administrators, each seeing their own agencies.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role


class ReferenceAdminSite(admin.AdminSite):
    site_header = _("法治 · 基础数据")
    site_title = _("法治 · 基础数据")
    index_title = _("基础数据维护")

    def login(self, request, extra_context=None):
        """One way in: the staff login page, with its lockout, rate limit and second factor."""
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next") or self.index_url())

    def index_url(self) -> str:
        from django.urls import reverse

        return reverse("admin:index", current_app=self.name)

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and (user.is_superuser or has_role(user, Role.SYSADMIN))
        )


reference_admin = ReferenceAdminSite(name="admin")
