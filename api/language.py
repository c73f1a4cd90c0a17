"""The language an API call is answered in: the catalogue's wording and the messages.

``?lang=`` first, then ``Accept-Language``, then the language on the caller's profile,
else English (the catalogue's source language). A language the site does not have is
English, whichever way it was asked for. Responses say which in ``Content-Language``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.services import SESSION_LANGUAGE_KEY
from principles.translations import SOURCE_LANGUAGE


def _known(code: str) -> str | None:
    codes = {language for language, _name in settings.LANGUAGES}
    code = code.strip().lower()
    if code in codes:
        return code
    base = code.split("-")[0]
    return base if base in codes else None


def asked_language(request) -> str | None:
    """The language the request asks for (``?lang``, then ``Accept-Language``), English
    when it asks only for ones the site does not have, or None when it asks for none."""
    asked = request.GET.get("lang", "")
    if asked.strip():
        return _known(asked) or SOURCE_LANGUAGE
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    ranked = [code for code, _q in parse_accept_lang_header(header) if code != "*"]
    if not ranked:
        return None
    return next((known for code in ranked if (known := _known(code))), SOURCE_LANGUAGE)


def profile_language(request) -> str | None:
    """The language the caller chose on their profile, or None. A token's user comes
    with their profile (``find_token``); a browser session carries it from sign-in."""
    user = getattr(request, "_user", None)
    if user is None or not user.is_authenticated:
        return None
    if getattr(request, "_auth", None) is not None:
        try:
            return _known(user.profile.language or "")
        except ObjectDoesNotExist:
            return None
    session = getattr(request._request, "session", None)
    return _known(session.get(SESSION_LANGUAGE_KEY, "")) if session is not None else None
