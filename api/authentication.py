"""Who is calling: a personal access token (``Authorization: Bearer haip_...``) or,
for the browser, the signed-in session (with Django's CSRF check on writes)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import tokens


class TokenFailed(exceptions.AuthenticationFailed):
    pass


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise TokenFailed(
                _("Send the token as: Authorization: Bearer haip_..."), code="token_malformed"
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise TokenFailed(_("The token is not valid."), code="token_invalid") from exc
        token = tokens.find_token(secret)
        if token is None or not token.user.is_active:
            raise TokenFailed(_("The token is not valid."), code="token_invalid")
        if token.is_revoked:
            raise TokenFailed(_("The token has been revoked."), code="token_revoked")
        if token.is_expired:
            raise TokenFailed(_("The token has expired."), code="token_expired")
        tokens.note_use(token)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf_failed"


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, its CSRF refusal with a code of its own."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed(
                _("CSRF check failed: send the CSRF token, or use an API token."),
                code="csrf_failed",
            ) from exc
