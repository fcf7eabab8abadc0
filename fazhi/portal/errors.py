"""Chinese error pages with the right status codes; security-relevant ones are logged."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from fazhi.core import audit

security_log = logging.getLogger("fazhi.security")


def _log_refusal(request: HttpRequest, verb: str, status: int) -> None:
    user = getattr(request, "user", None)
    security_log.warning("%s %s %s", verb, status, request.path)
    audit.record(
        verb,
        actor=user if user is not None and user.is_authenticated else None,
        request=request,
        result="refused",
        data={"path": request.path[:200], "method": request.method},
    )


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    _log_refusal(request, "access.refused", 403)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may lie in them or in the database.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    _log_refusal(request, "access.csrf_failed", 403)
    return render(request, "403_csrf.html", status=403)
