from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.models import Membership

from . import selectors, services
from .forms import AffiliationForm, InviteForm, RoleForm, SignUpForm
from .models import Invitation

OWNER = Membership.Role.OWNER


def get_owned_organization(user, slug):
    """The organization if ``user`` owns it: 404 for outsiders, 403 for other members."""
    organization, role = selectors.get_organization_for_user(user, slug)
    if role != OWNER:
        raise PermissionDenied(_("Only the organization's owners can manage its members."))
    return organization


@require_GET
@login_required
def members_index(request):
    organizations = list(selectors.owned_organizations(request.user))
    if not organizations:
        raise PermissionDenied(_("Only organization owners manage members."))
    if len(organizations) == 1:
        return redirect("organization_members", slug=organizations[0].slug)
    return render(request, "members/index.html", {"organizations": organizations})


@require_GET
@login_required
def organization_members(request, slug):
    organization = get_owned_organization(request.user, slug)
    return _members_page(request, organization, InviteForm())


def _members_page(request, organization, invite_form, status=200):
    members = list(selectors.members_of(organization))
    context = {
        "organization": organization,
        "members": [
            (
                m,
                RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}"),
                AffiliationForm(initial={"affiliation": m.affiliation}, prefix=f"a{m.pk}")
                if m.role == Membership.Role.AUDITOR
                else None,
            )
            for m in members
        ],
        "invitations": selectors.open_invitations(organization),
        "invite_form": invite_form,
    }
    return render(request, "members/members.html", context, status=status)


@require_POST
@login_required
def member_invite(request, slug):
    organization = get_owned_organization(request.user, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, _link = services.invite_member(
                organization=organization, by=request.user, **form.cleaned_data
            )
        except services.InvitationError as exc:
            form.add_error(None, str(exc))
            form.throttled = isinstance(exc, services.TooManyInvitations)
        else:
            _tell_delivery(request, invitation)
            return redirect("organization_members", slug=slug)
    status = 429 if _throttled(form) else 400
    return _members_page(request, organization, form, status=status)


def _throttled(form) -> bool:
    return getattr(form, "throttled", False)


def _tell_delivery(request, invitation, again: bool = False) -> None:
    """Say what became of the e-mail: the outcome recorded when it was sent (on commit,
    before the service returned), never "sent" when the mail server refused it."""
    invitation.refresh_from_db(fields=["delivered_at", "delivery_error"])
    values = {"email": invitation.email, "reason": invitation.delivery_error}
    if invitation.delivery_error:
        messages.error(
            request,
            _(
                "The invitation to %(email)s is saved, but the e-mail was not delivered: "
                "%(reason)s. Check the address, then use Send again."
            )
            % values,
        )
    elif invitation.delivered_at is None:
        messages.info(request, _("The invitation to %(email)s is being sent.") % values)
    elif again:
        messages.success(
            request,
            _("The invitation was sent to %(email)s again; the earlier link no longer works.")
            % values,
        )
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % values)


@require_POST
@login_required
def member_role(request, slug, pk):
    organization = get_owned_organization(request.user, slug)
    membership = get_object_or_404(Membership, pk=pk, organization=organization)
    form = RoleForm(request.POST, prefix=f"m{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a role: officer, auditor or owner."))
        return redirect("organization_members", slug=slug)
    try:
        services.change_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(user)s's role was changed.") % {"user": membership.user.get_username()}
        )
    return redirect("organization_members", slug=slug)


@require_POST
@login_required
def member_affiliation(request, slug, pk):
    organization = get_owned_organization(request.user, slug)
    membership = get_object_or_404(Membership, pk=pk, organization=organization)
    form = AffiliationForm(request.POST, prefix=f"a{pk}")
    if not form.is_valid():
        messages.error(
            request,
            _("An affiliation has at most %(limit)d characters; nothing was changed.")
            % {"limit": services.AFFILIATION_MAX_CHARS},
        )
        return redirect("organization_members", slug=slug)
    try:
        services.change_affiliation(
            membership=membership, affiliation=form.cleaned_data["affiliation"], by=request.user
        )
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(user)s's affiliation was changed.") % {"user": membership.user.get_username()},
        )
    return redirect("organization_members", slug=slug)


@require_POST
@login_required
def member_remove(request, slug, pk):
    organization = get_owned_organization(request.user, slug)
    membership = get_object_or_404(Membership, pk=pk, organization=organization)
    try:
        services.remove_member(membership=membership, by=request.user)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("organization_members", slug=slug)
    messages.success(
        request,
        _("%(user)s is no longer a member of %(organization)s.")
        % {"user": membership.user.get_username(), "organization": organization},
    )
    if membership.user_id == request.user.pk:
        return redirect("dashboard")
    return redirect("organization_members", slug=slug)


@require_POST
@login_required
def invitation_revoke(request, slug, pk):
    organization = get_owned_organization(request.user, slug)
    invitation = get_object_or_404(Invitation, pk=pk, organization=organization)
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
    except services.InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("organization_members", slug=slug)


@require_POST
@login_required
def invitation_resend(request, slug, pk):
    organization = get_owned_organization(request.user, slug)
    invitation = get_object_or_404(Invitation, pk=pk, organization=organization)
    try:
        services.resend_invitation(invitation=invitation, by=request.user)
    except services.InvitationError as exc:
        messages.error(request, str(exc))
    else:
        _tell_delivery(request, invitation, again=True)
    return redirect("organization_members", slug=slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Join from an invitation link: a new account, or the signed-in one."""
    try:
        invitation = services.check_invitation(token=token)
    except services.InvitationError as exc:
        return render(request, "members/accept.html", {"problem": str(exc)}, status=410)
    signed_in = request.user.is_authenticated
    form = None if signed_in else SignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            if signed_in:
                services.accept_invitation(token=token, user=request.user)
            elif form.is_valid():
                user = services.create_account_and_accept(
                    token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except services.InvitationError as exc:
            messages.error(request, str(exc))
        else:
            if signed_in or form.is_valid():
                messages.success(
                    request,
                    _("Welcome to %(organization)s.") % {"organization": invitation.organization},
                )
                return redirect("dashboard")
    wrong_account = signed_in and (request.user.email or "").lower() != invitation.email
    context = {"invitation": invitation, "form": form, "wrong_account": wrong_account}
    return render(request, "members/accept.html", context)
