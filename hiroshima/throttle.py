"""Failed sign-ins: the rules on top of django-axes' records of failed attempts.

django-axes records every failed sign-in (username, address, time) and refuses a
sign-in while this handler says it is locked. Within the cool-off period
(AXES_COOLOFF_HOURS) a sign-in is refused when any of these counts reaches its limit:

- failures of this username from this address (AXES_FAILURE_LIMIT, 5): someone
  guessing one account's password; the account stays usable from elsewhere, so
  nobody can lock another person out from one address;
- failures from this address, any usernames (LOGIN_FAILURE_LIMIT_PER_ADDRESS, 20):
  someone trying one password against many accounts (spraying); higher than the
  first because an office behind one NAT address shares it;
- failures of this username from all addresses (LOGIN_FAILURE_LIMIT_PER_USERNAME,
  50): a guessing attack spread over many addresses; one address adds at most 5;
- failures with usernames that do not exist, all addresses together
  (LOGIN_FAILURE_LIMIT_UNKNOWN_USERNAMES, 100): spraying from many addresses with
  a list of guessed names; it refuses only names that do not exist.

Attempts refused during a lockout are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_
DURING_LOCKOUT off), so a locked address cannot push an account over the
all-addresses limit.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum


def failure_counts(request, credentials=None) -> dict[str, tuple[int, int]]:
    """Each rule's name: (failures counted, limit)."""
    recent = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME:
        recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
    username = get_client_username(request, credentials)
    address = request.axes_ip_address

    def total(attempts) -> int:
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    counts = {
        "username from address": (
            total(recent.filter(username=username, ip_address=address)),
            settings.AXES_FAILURE_LIMIT,
        ),
        "address": (
            total(recent.filter(ip_address=address)),
            settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS,
        ),
    }
    users = get_user_model()
    known_names = users.objects.values(users.USERNAME_FIELD)
    if username and users.objects.filter(**{users.USERNAME_FIELD: username}).exists():
        counts["username"] = (
            total(recent.filter(username=username)),
            settings.LOGIN_FAILURE_LIMIT_PER_USERNAME,
        )
    else:
        counts["unknown usernames"] = (
            total(recent.exclude(username__in=known_names)),
            settings.LOGIN_FAILURE_LIMIT_UNKNOWN_USERNAMES,
        )
    return counts


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler with the rules above.

    Axes compares ``get_failures`` with AXES_FAILURE_LIMIT; this returns that limit
    when any rule is full, and otherwise the count of the strictest rule.
    """

    def get_failures(self, request, credentials=None) -> int:
        counts = failure_counts(request, credentials)
        if any(count >= limit for count, limit in counts.values()):
            return settings.AXES_FAILURE_LIMIT
        return counts["username from address"][0]


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, when that is a trusted proxy
    (TRUSTED_PROXY_ADDRESSES), the last address in X-Forwarded-For that is not."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXY_ADDRESSES
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for address in reversed([a.strip() for a in forwarded if a.strip()]):
        if address in trusted:
            continue
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            return remote
    return remote
