from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from .models import ApiToken


class ReadOnlyToken(exceptions.PermissionDenied):
    default_code = "token_read_only"


class ApiAccess(permissions.BasePermission):
    """Signed in (token or session); a read-only token may only read."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if (
            isinstance(token, ApiToken)
            and request.method not in permissions.SAFE_METHODS
            and not token.can_write
        ):
            raise ReadOnlyToken(
                _("This token is read-only: it cannot change anything."), code="token_read_only"
            )
        return True
