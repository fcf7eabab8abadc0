"""The Django admin baseline of the services benchmark: Fazhi's URLs plus a plain admin site
with a changelist of ServiceCase, mounted at /bench-admin/ only while the benchmark runs.

Fazhi's own /admin/ shows reference data only (business records change only through their
services), so the baseline lives here: what a team would get from `admin.site.register` with
the same columns and filters as the staff case list.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from fazhi.services.models import ServiceCase
from fazhi.urls import urlpatterns as fazhi_urlpatterns


class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "case_number",
        "item",
        "applicant_name",
        "department",
        "center",
        "channel",
        "state",
        "received_on",
        "promised_due_on",
    )
    list_filter = ("state", "department", "channel")
    list_select_related = ("item", "department", "center")
    search_fields = ("case_number", "applicant_name")
    ordering = ("-received_on", "-id")
    list_per_page = 50


site = admin.AdminSite(name="bench_admin")
site.register(ServiceCase, CaseAdmin)

urlpatterns = [path("bench-admin/", site.urls), *fazhi_urlpatterns]
