"""Request helpers shared by every app."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For is believed only from a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - placeholder only
    if remote in settings.FAZHI_TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The right-most address was appended by our proxy; it is the one we can trust.
        candidates = [part.strip() for part in forwarded.split(",") if part.strip()]
        if candidates:
            remote = candidates[-1]
    try:
        ipaddress.ip_address(remote)
    except ValueError:
        return "0.0.0.0"  # noqa: S104
    return remote
