from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class NarrativeForm(forms.Form):
    text = forms.CharField(
        label=_("Narrative for this item"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Leave empty to use the text generated from the answers."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = settings.HAIP_NARRATIVE_MAX_CHARS
        self.fields["text"].widget.attrs["maxlength"] = settings.HAIP_NARRATIVE_MAX_CHARS
        self.fields["text"].validators.append(
            forms.fields.validators.MaxLengthValidator(settings.HAIP_NARRATIVE_MAX_CHARS)
        )
