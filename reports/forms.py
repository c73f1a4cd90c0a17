from django import forms
from django.core.exceptions import ValidationError

MAX_VERIFY_BYTES = 20 * 1024 * 1024


class VerifyForm(forms.Form):
    """A PDF to check, or a fingerprint pasted from one."""

    pdf = forms.FileField(
        required=False,
        allow_empty_file=True,  # an empty file is simply "not verified"
        label="Report PDF",
        help_text="The PDF as you received it, up to 20 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    fingerprint = forms.CharField(
        required=False,
        max_length=200,
        label="or its fingerprint",
        help_text="The 64 hexadecimal characters printed at the foot of every page.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if upload and upload.size > MAX_VERIFY_BYTES:
            raise ValidationError("This file is larger than 20 MB: it is not a report of ours.")
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("pdf") and not (data.get("fingerprint") or "").strip():
            raise ValidationError("Choose a PDF or paste a fingerprint.")
        return data
