"""Writes and look-ups for personal access tokens (services for the tokens page and
the API's authentication)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Membership, Organization

from .models import ApiToken

PREFIX = "haip_"
HINT_CHARS = len(PREFIX) + 4
NAME_MAX_CHARS = 100


class TokenRefused(Exception):
    """A token cannot be created as asked; the message is for the user."""


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """``haip_`` and 256 random bits, URL-safe: recognisable by secret scanners."""
    return PREFIX + secrets.token_urlsafe(32)


def create_token(
    *, user, organization: Organization, name: str, access: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise TokenRefused(_("Give the token a name."))
    if len(name) > NAME_MAX_CHARS:
        raise TokenRefused(
            _("A token name may be at most %(limit)d characters.") % {"limit": NAME_MAX_CHARS}
        )
    if access not in ApiToken.Access.values:
        raise TokenRefused(_("Choose read-only or read-write access."))
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise TokenRefused(
            _("A token may be valid for 1 to %(limit)d days.")
            % {"limit": settings.API_TOKEN_MAX_DAYS}
        )
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise PermissionDenied(_("You are not a member of this organization."))
    active = ApiToken.objects.active().filter(user=user).count()
    if active >= settings.API_TOKENS_MAX_PER_USER:
        raise TokenRefused(
            _("You may have at most %(limit)d active tokens; revoke one first.")
            % {"limit": settings.API_TOKENS_MAX_PER_USER}
        )
    secret = new_secret()
    token = ApiToken.objects.create(
        user=user,
        organization=organization,
        name=name,
        hint=secret[:HINT_CHARS],
        digest=digest_of(secret),
        access=access,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, secret


def revoke_token(*, token: ApiToken, by) -> bool:
    """Revoke one of ``by``'s tokens; False when it was revoked already."""
    if token.user_id != by.pk:
        raise PermissionDenied(_("This is not your token."))
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    token.refresh_from_db()
    return bool(updated)


def find_token(secret: str) -> ApiToken | None:
    """The token with this secret, whatever its state (the caller checks it), or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("user__profile", "organization")
        .filter(digest=digest_of(secret))
        .first()
    )


def note_use(token: ApiToken) -> None:
    """Record when the token was last used, at most once per
    API_TOKEN_LAST_USED_RESOLUTION seconds (a write per request would be wasteful)."""
    now = timezone.now()
    resolution = timedelta(seconds=settings.API_TOKEN_LAST_USED_RESOLUTION)
    if token.last_used_at is None or now - token.last_used_at >= resolution:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
