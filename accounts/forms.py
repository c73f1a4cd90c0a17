from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from .services import user_language


class LocalizedPasswordResetForm(PasswordResetForm):
    """Django's reset form, mailing each account in its profile's language (else the
    language of the request)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        language = user_language(context["user"]) or translation.get_language()
        with translation.override(language):
            context = {**context, "LANGUAGE_CODE": translation.get_language()}
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
