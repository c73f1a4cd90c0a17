from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from assessments.models import Membership


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    affiliation = forms.CharField(
        label=_("Audit firm (for an external auditor)"),
        max_length=200,
        required=False,
        help_text=_("Prefills the affiliation in the auditor's opinion."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )


class AffiliationForm(forms.Form):
    affiliation = forms.CharField(
        label=_("Audit firm"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class SignUpForm(UserCreationForm):
    """Username and password (Django's validators) for the invited address."""

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The similarity validator compares the password with the address too.
        self.instance.email = email
        self.fields["username"].help_text = _(
            "What you sign in with: letters, digits and @/./+/-/_ only."
        )
