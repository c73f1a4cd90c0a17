"""A per-address limit on the public verify page, counted in the cache."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address: the connection's, or the one our own proxies recorded.

    With ``VERIFY_PROXY_COUNT`` proxies of ours in front, the client is the entry
    that many places from the end of X-Forwarded-For (entries before it can be
    forged by the client and are ignored).
    """
    proxies = settings.VERIFY_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def allow(request, *, scope: str = "verify") -> bool:
    """Count one attempt from the request's address; False once over the limit.

    A fixed window of ``VERIFY_THROTTLE_SECONDS`` per address, opened by its
    first attempt.
    """
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{address}"
    cache.add(key, 0, timeout=settings.VERIFY_THROTTLE_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=settings.VERIFY_THROTTLE_SECONDS)
        count = 1
    return count <= settings.VERIFY_THROTTLE_REQUESTS
