from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    """A PDF to check, or a fingerprint pasted from one."""

    pdf = forms.FileField(
        required=False,
        allow_empty_file=True,  # an empty file is simply "not verified"
        label=_("Report PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    fingerprint = forms.CharField(
        required=False,
        max_length=200,
        label=_("or its fingerprint"),
        help_text=_("The 64 hexadecimal characters printed at the foot of every page."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.VERIFY_MAX_BYTES)
        self.fields["pdf"].help_text = gettext("The PDF as you received it, up to %(limit)s.") % {
            "limit": limit
        }

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if upload and upload.size > settings.VERIFY_MAX_BYTES:
            limit = filesizeformat(settings.VERIFY_MAX_BYTES)
            raise ValidationError(
                gettext("This file is larger than %(limit)s: it is not a report of ours.")
                % {"limit": limit}
            )
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("pdf") and not (data.get("fingerprint") or "").strip():
            raise ValidationError(_("Choose a PDF or paste a fingerprint."))
        return data
