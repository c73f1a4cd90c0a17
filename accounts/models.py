"""What a person keeps across sessions: for now, the interface language they chose."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The interface language; blank follows the browser."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


class ThrottleHit(models.Model):
    """One counted request for a rate limit (accounts/throttle.py): which limit
    (``scope``), for whom (``key``, a hash of the e-mail address, client address or
    organization) and when. Kept in the database, like django-axes' sign-in records,
    so that every server process counts the same requests."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="throttle_scope_key_at")]

    def __str__(self):
        return f"{self.scope} {self.key[:8]} {self.at:%Y-%m-%d %H:%M}"
