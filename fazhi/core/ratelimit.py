"""Fixed-window rate limits per client IP, kept in the shared cache (Redis in production)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from fazhi.core.http import client_ip

logger = logging.getLogger("fazhi.security")


def hit(request: HttpRequest, scope: str, *, window_seconds: int = 60) -> bool:
    """Count one request; False when the client is over the per-minute limit for `scope`."""
    limit = settings.FAZHI_RATE_LIMITS[scope]
    window = int(time.time() // window_seconds)
    key = f"rl:{scope}:{client_ip(request)}:{window}"
    try:
        # add() is atomic: it creates the counter only if absent; incr() then counts atomically.
        cache.add(key, 0, timeout=window_seconds * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=window_seconds * 2)
            count = 1
    except Exception:  # the cache server is down
        # Fail open: the lockout (kept in the database) still guards the passwords, and a
        # cache outage must not stop every login. The outage itself is logged loudly.
        logger.exception("rate limit cache unavailable; %s not limited", scope)
        return True
    return count <= limit
