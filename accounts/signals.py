"""On sign-in, the language on the user's profile goes into their session."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import SESSION_LANGUAGE_KEY, is_known_language, user_language


@receiver(user_logged_in, dispatch_uid="accounts_language_on_login")
def remember_language_in_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    language = user_language(user)
    if is_known_language(language):
        request.session[SESSION_LANGUAGE_KEY] = language
    else:
        request.session.pop(SESSION_LANGUAGE_KEY, None)
