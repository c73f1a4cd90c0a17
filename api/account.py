"""The signed-in user's API tokens page: create (the secret shown once) and revoke."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from assessments.models import Organization

from . import tokens
from .models import ApiToken

SECRET_KEY = "api_token_secret"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=tokens.NAME_MAX_CHARS,
        help_text=gettext_lazy("What uses it, e.g. “CI pipeline”. It appears in the logs."),
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        label=gettext_lazy("Organization"),
        empty_label=None,
        help_text=gettext_lazy("The token reaches this organization only."),
    )
    access = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=ApiToken.Access.choices,
        initial=ApiToken.Access.READ,
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            memberships__user=user
        ).order_by("name")
        # The maximum is a setting, read when the form is made (not at import).
        self.fields["days"].validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
        self.fields["days"].widget.attrs["max"] = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].initial = settings.API_TOKEN_DEFAULT_DAYS
        self.fields["days"].help_text = _("At most %(days)d.") % {
            "days": settings.API_TOKEN_MAX_DAYS
        }


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    # Shown once: the redirect after creating carries it in the session, and this
    # GET takes it out again (a reload then neither shows it nor creates another).
    secret = request.session.pop(SECRET_KEY, None) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = tokens.create_token(
                user=request.user,
                organization=data["organization"],
                name=data["name"],
                access=data["access"],
                days=data["days"],
            )
        except tokens.TokenRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Token “%(name)s” created. Copy it now: it is not shown again.")
                % {"name": token.name},
            )
            request.session[SECRET_KEY] = secret
            return redirect("api_tokens")
    listed = ApiToken.objects.filter(user=request.user).select_related("organization")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": listed,
            "has_orgs": form.fields["organization"].queryset.exists(),
            "docs_url": reverse("api_docs"),
        },
    )


@require_POST
@login_required
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if tokens.revoke_token(token=token, by=request.user):
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
