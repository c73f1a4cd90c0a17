from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from hiroshima.throttle import client_ip

from . import throttle
from .forms import LocalizedPasswordResetForm
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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, mailed in text and HTML, limited per e-mail address
    typed and per client address (PASSWORD_RESET_LIMIT_*). The limit counts every
    address alike, known or not, so its message reveals no account either. The
    e-mail is in the account's profile language."""

    form_class = LocalizedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    def form_valid(self, form):
        seconds = settings.PASSWORD_RESET_THROTTLE_SECONDS
        email = form.cleaned_data["email"].strip().lower()
        limits = [
            ("reset-email", email, settings.PASSWORD_RESET_LIMIT_PER_EMAIL, seconds),
            (
                "reset-address",
                client_ip(self.request) or "",
                settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
                seconds,
            ),
        ]
        if not throttle.allow(limits):
            form.add_error(
                None,
                _(
                    "Too many password-reset requests for this address or from your network. "
                    "Nothing was sent; try again in %(minutes)d minutes."
                )
                % {"minutes": throttle.minutes(seconds)},
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
