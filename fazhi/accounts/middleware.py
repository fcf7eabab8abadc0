"""Session lifetime and the security gate in front of the workspace."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from fazhi.accounts import otp
from fazhi.accounts.services import otp_required, password_expired
from fazhi.core import audit

# Refresh the "last seen" stamp at most this often, to avoid a session write per request.
SEEN_RESOLUTION_SECONDS = 30

# Only these areas need a fully vetted session; the portal stays public.
GATED_PREFIXES = ("/staff/", "/admin/", "/files/")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class SessionPolicyMiddleware:
    """Idle timeout and absolute lifetime, both checked on the server (ASVS 7.3)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault("fazhi_login_at", now)
            seen_at = session.get("fazhi_seen_at", now)
            idle = now - seen_at > settings.FAZHI_SESSION_IDLE_SECONDS
            expired = now - login_at > settings.FAZHI_SESSION_ABSOLUTE_SECONDS
            if idle or expired:
                reason = "idle" if idle else "absolute"
                audit.record(
                    "session.timeout",
                    actor=user,
                    agency=user.home_agency,
                    request=request,
                    data={"reason": reason},
                )
                logout(request)
                url = reverse("accounts:login") + "?" + urlencode({"timeout": reason})
                return _redirect(request, url)
            if now - seen_at >= SEEN_RESOLUTION_SECONDS or "fazhi_seen_at" not in session:
                session["fazhi_seen_at"] = now
            response = self.get_response(request)
            # Signed-in pages carry personal and official data: no shared or browser cache.
            patch_cache_control(response, no_store=True, private=True)
            return response
        return self.get_response(request)


class SecurityGateMiddleware:
    """Before the workspace: an expired password must be changed, the second factor passed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.path.startswith(GATED_PREFIXES):
            if password_expired(user):
                return _redirect(request, reverse("accounts:password_change"))
            if otp_required(user) and not user.is_verified():
                target = (
                    "accounts:otp_verify" if otp.confirmed_device(user) else "accounts:otp_enrol"
                )
                return _redirect(request, reverse(target))
        return self.get_response(request)
