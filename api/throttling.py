"""Requests per token (or signed-in user) and per anonymous address, counted in the
cache. The rates are read from the settings at each request, so they can change."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from hiroshima.throttle import client_ip

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return f"api-throttle-token-{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"api-throttle-user-{request.user.pk}"
        return None


class AnonymousRateThrottle(SimpleRateThrottle):
    scope = "anon"

    def get_rate(self):
        return settings.API_THROTTLE_ANON_RATE

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"api-throttle-anon-{client_ip(request)}"
