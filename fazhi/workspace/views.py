"""The staff workspace: my tasks, the organisation chart, the overseer's region view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fazhi.core.decorators import staff_permission_required
from fazhi.core.selectors import organisation_for, region_agencies
from fazhi.workspace.tasks import tasks_for


@staff_permission_required("workspace.view")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/home.html", {"tasks": tasks_for(request.user)})


@staff_permission_required("core.view_organisation")
def organisation(request: HttpRequest) -> HttpResponse:
    return render(
        request, "workspace/organisation.html", {"agencies": organisation_for(request.user)}
    )


@staff_permission_required("core.view_region")
def region(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/region.html", {"agencies": region_agencies(request.user)})
