"""The public portal. Reads only published data through selectors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fazhi.portal.selectors import public_agencies


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"agencies": public_agencies()})
