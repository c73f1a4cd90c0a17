from django.utils import translation

from .services import SESSION_LANGUAGE_KEY, is_known_language


class UserLanguageMiddleware:
    """A signed-in user's own language wins over the cookie and Accept-Language.

    Sits after LocaleMiddleware (which has chosen from the cookie and the browser)
    and AuthenticationMiddleware. The language comes from the session, where the
    sign-in signal and the language switcher put the profile's value, so it costs
    no query per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(SESSION_LANGUAGE_KEY, "")
            if is_known_language(language):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
