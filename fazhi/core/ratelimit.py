"""Fixed-window rate limits per client IP, kept in the shared cache (Redis in production)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from fazhi.core.http import client_ip


def hit(request: HttpRequest, scope: str, *, window_seconds: int = 60) -> bool:
    """Count one request; False when the client is over the per-minute limit for `scope`."""
    limit = settings.FAZHI_RATE_LIMITS[scope]
    window = int(time.time() // window_seconds)
    key = f"rl:{scope}:{client_ip(request)}:{window}"
    # add() is atomic: it creates the counter only if absent; incr() then counts atomically.
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window_seconds * 2)
        count = 1
    return count <= limit
