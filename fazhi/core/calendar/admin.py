"""Clock rules in /admin/: a system administrator adds their agency's own rules.

The default rows (no agency) come from domain-rules.md through a migration and are visible to
the installation superuser only; every add, change and delete is an audit event.
"""

from __future__ import annotations

from django.contrib import admin

from fazhi.core.admin import ScopedAdmin
from fazhi.core.admin_site import reference_admin
from fazhi.core.calendar.models import ClockRule


@admin.register(ClockRule, site=reference_admin)
class ClockRuleAdmin(ScopedAdmin):
    list_display = [
        "procedure",
        "name",
        "agency",
        "unit",
        "budget_days",
        "max_extension_days",
        "note",
    ]
    list_filter = ["unit"]
    search_fields = ["procedure", "name"]
    list_select_related = ["agency"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser:
            # A system administrator writes rules for their own agency, never the defaults.
            form.base_fields["agency"].required = True
        return form
