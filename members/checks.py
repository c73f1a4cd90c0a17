"""System checks: production must send its e-mail somewhere (invitations are sign-up)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PRINTING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


@register(Tags.security, deploy=True)
def email_backend_check(app_configs, **kwargs):
    if settings.EMAIL_BACKEND in PRINTING_BACKENDS:
        return [
            Warning(
                "E-mail is not sent: EMAIL_BACKEND is "
                f"{settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}, so invitations and password "
                "resets never reach anyone.",
                hint="Set DJANGO_EMAIL_URL (smtp+tls://user:password@host:587) or "
                "DJANGO_EMAIL_HOST and its companions (README, People and organizations).",
                id="members.W001",
            )
        ]
    return []
