from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IN_APP_ONLY, Kind

MAILED_KINDS = [(kind.value, kind.label) for kind in Kind if kind not in IN_APP_ONLY]


class EmailPreferenceForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Send me notification e-mails"),
        required=False,
        help_text=_("Off: you see notifications only here, under the bell."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("E-mail me about"),
        choices=MAILED_KINDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def muted_kinds(self) -> list[str]:
        chosen = set(self.cleaned_data["kinds"])
        return [kind for kind, _label in MAILED_KINDS if kind not in chosen]
