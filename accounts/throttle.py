"""Rate limits for requests that send e-mail: password resets, invitations.

Like the sign-in throttle (hiroshima/throttle.py, django-axes), requests are
recorded in the database and counted over a sliding window, so that all server
processes share the count (the default cache is per process). Only requests that
were let through are counted: a refused request does not extend the wait. Keys are
stored hashed (no e-mail addresses or client addresses in the table).
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import ThrottleHit


def _hashed(key: str) -> str:
    return hashlib.sha256(str(key).encode()).hexdigest()


def over_limit(scope: str, key: str, *, limit: int, seconds: int) -> bool:
    """Whether ``key`` has used up ``limit`` requests of ``scope`` in the last ``seconds``."""
    since = timezone.now() - timedelta(seconds=seconds)
    used = ThrottleHit.objects.filter(scope=scope, key=_hashed(key), at__gt=since).count()
    return used >= limit


def record(scope: str, key: str, *, seconds: int) -> None:
    """Count one request of ``scope`` for ``key``; drops this scope's expired records."""
    now = timezone.now()
    with transaction.atomic():
        ThrottleHit.objects.filter(scope=scope, at__lte=now - timedelta(seconds=seconds)).delete()
        ThrottleHit.objects.create(scope=scope, key=_hashed(key), at=now)


def allow(limits: list[tuple[str, str, int, int]]) -> bool:
    """Check every (scope, key, limit, seconds); when none is full, count the request
    against each and return True; otherwise count nothing and return False."""
    if any(over_limit(s, k, limit=n, seconds=t) for s, k, n, t in limits):
        return False
    for scope, key, _limit, seconds in limits:
        record(scope, key, seconds=seconds)
    return True


def minutes(seconds: int) -> int:
    """A window in whole minutes, for messages (at least 1)."""
    return max(1, math.ceil(seconds / 60))
