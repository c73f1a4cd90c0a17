"""A per-address limit on the public verify page, counted in the cache."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from hiroshima.throttle import client_ip


def allow(request, *, scope: str = "verify") -> bool:
    """Count one attempt from the request's address; False once over the limit.

    A fixed window of ``VERIFY_THROTTLE_SECONDS`` per client address (the one the
    sign-in throttle uses: behind DJANGO_TRUSTED_PROXIES, from X-Forwarded-For),
    opened by its first attempt.
    """
    address = hashlib.sha256((client_ip(request) or "").encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{address}"
    cache.add(key, 0, timeout=settings.VERIFY_THROTTLE_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=settings.VERIFY_THROTTLE_SECONDS)
        count = 1
    return count <= settings.VERIFY_THROTTLE_REQUESTS
