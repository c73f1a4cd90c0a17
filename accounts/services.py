"""Writes for accounts: the user's language."""

from django.conf import settings

from .models import Profile

# Where a signed-in user's language is kept for the session (UserLanguageMiddleware
# reads it, so a request costs no query for it).
SESSION_LANGUAGE_KEY = "accounts_language"


def is_known_language(code: str) -> bool:
    return code in {language for language, _name in settings.LANGUAGES}


def set_user_language(*, user, language: str) -> Profile:
    """Remember ``language`` on the user's profile (created when missing)."""
    if not is_known_language(language):
        raise ValueError(f"Unknown language: {language!r}")
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    return profile


def user_language(user) -> str:
    """The language on the user's profile, or "" when they have not chosen one."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""
