from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .services import SESSION_LANGUAGE_KEY, is_known_language, set_user_language


@require_POST
def set_language(request):
    """Django's set_language (cookie, safe redirect back), and for a signed-in user
    the choice kept on their profile and in their session."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if is_known_language(language) and request.user.is_authenticated:
        set_user_language(user=request.user, language=language)
        request.session[SESSION_LANGUAGE_KEY] = language
    return response
