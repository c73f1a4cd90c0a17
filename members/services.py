"""Writes about people: invitations, accepting them, roles, removal, new organizations.

Every write that depends on the organization's people locks the organization's row
first (``_lock_organization``) and decides on fresh rows, so that two owners acting
at once cannot, say, both demote each other and leave the organization ownerless.
"""

import logging
import secrets
import smtplib
from datetime import timedelta
from hmac import compare_digest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import throttle
from accounts.models import Profile
from assessments.models import Membership, Organization
from assessments.stamps import stamp_organization_changed

from .models import Invitation, hash_secret
from .signals import member_invited

OWNER = Membership.Role.OWNER
logger = logging.getLogger(__name__)
TOKEN_SALT = "members.invitation"


class InvitationError(Exception):
    """An invitation that cannot be made, sent, revoked or accepted; the message says why."""


class MembershipError(Exception):
    """A change to the members that is refused (the last owner, say)."""


class TooManyInvitations(InvitationError):
    """Over a limit on invitation e-mails (INVITATION_LIMIT_PER_ORGANIZATION,
    INVITATION_RESEND_LIMIT); nothing was created or sent."""


# --- tokens ------------------------------------------------------------------


def _max_age() -> timedelta:
    return timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def _new_secret(invitation: Invitation) -> str:
    """A fresh secret for ``invitation`` (its hash stored on it); returns the link's token."""
    secret = secrets.token_urlsafe(32)
    invitation.token_hash = hash_secret(secret)
    invitation.expires_at = timezone.now() + _max_age()
    invitation.sent_at = timezone.now()
    return signing.dumps([invitation.pk, secret], salt=TOKEN_SALT)


def _read_token(token: str) -> tuple[int, str]:
    try:
        pk, secret = signing.loads(token, salt=TOKEN_SALT, max_age=_max_age())
    except signing.SignatureExpired:
        raise InvitationError(
            _("This invitation has expired. Ask the organization's owner to send it again.")
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvitationError(
            _("This invitation link is not valid. Check that you copied all of it.")
        ) from None
    return int(pk), str(secret)


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


def _check_pending(invitation: Invitation | None, secret: str) -> Invitation:
    if invitation is None or not compare_digest(invitation.token_hash, hash_secret(secret)):
        # Revoked and deleted, or sent again (which replaces the secret).
        raise InvitationError(
            _(
                "This invitation link is no longer valid; if it was sent again, use the "
                "newest e-mail."
            )
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise InvitationError(_("This invitation has already been accepted."))
    if state == Invitation.State.REVOKED:
        raise InvitationError(_("This invitation was withdrawn by the organization's owner."))
    if state == Invitation.State.EXPIRED:
        raise InvitationError(
            _("This invitation has expired. Ask the organization's owner to send it again.")
        )
    return invitation


def check_invitation(*, token: str) -> Invitation:
    """The pending invitation a link stands for (for showing it); InvitationError if none."""
    pk, secret = _read_token(token)
    invitation = Invitation.objects.select_related("organization").filter(pk=pk).first()
    return _check_pending(invitation, secret)


# --- permissions and locks ---------------------------------------------------


def _lock_organization(organization: Organization, *, members_change: bool = False) -> Organization:
    if members_change:
        # Its assessments' rows first (a new change token, as the membership's signal
        # would write), then its own: the order of every writer of an assessment. Such a
        # writer updates the assessment's row twice in its transaction (the stamp, then
        # its save), so PostgreSQL checks the row's key on the organization's row again
        # when it commits: holding that row, then waiting for the assessment, deadlocks.
        stamp_organization_changed(organization.pk)
    return Organization.objects.select_for_update().get(pk=organization.pk)


def require_owner(*, organization: Organization, by) -> None:
    """PermissionDenied unless ``by`` is an owner of ``organization`` (read afresh)."""
    held = (
        Membership.objects.filter(user_id=by.pk, organization_id=organization.pk)
        .values_list("role", flat=True)
        .first()
    )
    if held != OWNER:
        raise PermissionDenied(_("Only the organization's owners can manage its members."))


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_role(role: str) -> None:
    if role not in Membership.Role.values:
        raise InvitationError(_("Choose a role: officer, auditor or owner."))


# --- inviting ----------------------------------------------------------------


def _count_invitation_email(organization: Organization, invitation: Invitation | None) -> None:
    """Count one invitation e-mail against the limits, or raise TooManyInvitations.

    Called under the organization's row lock, so two owners cannot both take the last
    one; a refused or rolled-back invitation is not counted."""
    seconds = settings.INVITATION_THROTTLE_SECONDS
    minutes = throttle.minutes(seconds)
    per_org = settings.INVITATION_LIMIT_PER_ORGANIZATION
    if throttle.over_limit("invite-org", str(organization.pk), limit=per_org, seconds=seconds):
        raise TooManyInvitations(
            _(
                "%(organization)s has sent %(limit)d invitation e-mails in the last "
                "%(minutes)d minutes, the most allowed. Nothing was sent; try again later."
            )
            % {"organization": organization, "limit": per_org, "minutes": minutes}
        )
    per_invitation = settings.INVITATION_RESEND_LIMIT
    if invitation is not None and throttle.over_limit(
        "invite-resend", str(invitation.pk), limit=per_invitation, seconds=seconds
    ):
        raise TooManyInvitations(
            _(
                "This invitation was sent again %(limit)d times in the last %(minutes)d "
                "minutes, the most allowed. Nothing was sent; try again later."
            )
            % {"limit": per_invitation, "minutes": minutes}
        )
    throttle.record("invite-org", str(organization.pk), seconds=seconds)
    if invitation is not None:
        throttle.record("invite-resend", str(invitation.pk), seconds=seconds)


def invite_member(
    *, organization: Organization, email: str, role: str, affiliation: str = "", by
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``organization`` with ``role``; the e-mail goes out on commit.

    ``by`` must be an owner, or None (the ``create_organization`` command, staff in the
    admin). Returns the invitation and its link (shown once, never stored).
    """
    email = _normalise_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationError(_("Give a valid e-mail address.")) from None
    _check_role(role)
    with transaction.atomic():
        organization = _lock_organization(organization)
        if by is not None and not by.is_staff:
            require_owner(organization=organization, by=by)
        if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
            # One membership per organization: this also keeps the four-eyes rule
            # (nobody is both officer and auditor of one organization).
            raise InvitationError(
                _("%(email)s is already a member of %(organization)s.")
                % {"email": email, "organization": organization}
            )
        if organization.invitations.pending().filter(email=email).exists():
            raise InvitationError(
                _("%(email)s has a pending invitation already; send it again from the list.")
                % {"email": email}
            )
        if by is not None:  # the create_organization command is not limited
            _count_invitation_email(organization, None)
        invitation = Invitation(
            organization=organization,
            email=email,
            role=role,
            affiliation=affiliation.strip() if role == Membership.Role.AUDITOR else "",
            invited_by=by,
            token_hash=hash_secret(secrets.token_urlsafe(32)),  # replaced below
            expires_at=timezone.now(),
        )
        invitation.save()
        token = _new_secret(invitation)
        invitation.save(update_fields=["token_hash", "expires_at", "sent_at"])
        _send_on_commit(invitation, token, by)
    logger.info(
        "%s invited %s to %s as %s",
        by.get_username() if by else "(command)",
        email,
        organization.slug,
        role,
    )
    return invitation, invitation_link(token)


def resend_invitation(*, invitation: Invitation, by) -> str:
    """A new link for a pending or expired invitation (the old link stops working)."""
    with transaction.atomic():
        _lock_organization(invitation.organization)
        fresh = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if by is not None and not by.is_staff:
            require_owner(organization=fresh.organization, by=by)
        if fresh.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
            raise InvitationError(
                _("This invitation was %(state)s; invite the person again instead.")
                % {"state": fresh.get_state_display().lower()}
            )
        if by is not None:
            _count_invitation_email(fresh.organization, fresh)
        token = _new_secret(fresh)
        fresh.delivered_at, fresh.delivery_error = None, ""
        fresh.save(
            update_fields=["token_hash", "expires_at", "sent_at", "delivered_at", "delivery_error"]
        )
        _send_on_commit(fresh, token, by)
    return invitation_link(token)


def revoke_invitation(*, invitation: Invitation, by) -> None:
    with transaction.atomic():
        fresh = Invitation.objects.select_for_update().get(pk=invitation.pk)
        require_owner(organization=fresh.organization, by=by)
        if fresh.accepted_at:
            raise InvitationError(_("This invitation has already been accepted."))
        if fresh.revoked_at:
            raise InvitationError(_("This invitation was withdrawn already."))
        fresh.revoked_at = timezone.now()
        fresh.save(update_fields=["revoked_at"])
    logger.info(
        "%s withdrew the invitation of %s to %s",
        by.get_username(),
        fresh.email,
        fresh.organization.slug,
    )


def _send_on_commit(invitation: Invitation, token: str, by) -> None:
    """Send the e-mail once the invitation is committed.

    Synchronously, not through the task queue: the owner who pressed the button is
    told at once whether the mail server took it (the request waits at most
    EMAIL_TIMEOUT), and invitations, the way people join, work without the task
    worker running. The outcome is recorded on the invitation either way."""
    member_invited.send(sender=Invitation, invitation=invitation, by=by)
    link = invitation_link(token)
    language = translation.get_language()  # the inviter's, while the request is active
    transaction.on_commit(
        lambda: send_invitation_email(invitation=invitation, link=link, by=by, language=language)
    )


def invitation_language(email: str, fallback: str | None) -> str:
    """The language to write to ``email`` in: the profile language of an account with
    that address, else ``fallback`` (the inviter's), else the site's default."""
    chosen = (
        Profile.objects.filter(user__email__iexact=email)
        .exclude(language="")
        .values_list("language", flat=True)
        .first()
    )
    return chosen or fallback or settings.LANGUAGE_CODE


def delivery_problem(exc: Exception) -> str:
    """A short reason for the owner: what the mail server said, or what went wrong."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = [
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in exc.recipients.values()
        ]
        return "; ".join(replies)[:300]
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {text}"[:300]
    return (str(exc) or type(exc).__name__)[:300]


def send_invitation_email(
    *, invitation: Invitation, link: str, by=None, language: str | None = None
) -> bool:
    """The invitation e-mail, plain text and HTML (templates/members/email/), in the
    invitee's language (see ``invitation_language``). Records the outcome on the
    invitation (``delivered_at`` or ``delivery_error``); returns whether it went out."""
    with translation.override(invitation_language(invitation.email, language)):
        context = {
            "invitation": invitation,
            "organization": invitation.organization,
            "role": invitation.get_role_display(),
            "link": link,
            "inviter": by.get_full_name() or by.get_username() if by else "",
            "days": settings.INVITATION_MAX_AGE_DAYS,
            "site_url": settings.SITE_URL,
            "LANGUAGE_CODE": translation.get_language(),
        }
        subject = render_to_string("members/email/invitation_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("members/email/invitation.txt", context),
            to=[invitation.email],
        )
        html = render_to_string("members/email/invitation.html", context)
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        # The invitation stands (it was committed); the owner sees the reason on the
        # members page and can send it again; create_organization printed the link.
        logger.exception("The invitation e-mail to %s could not be sent", invitation.email)
        problem = delivery_problem(exc)
        Invitation.objects.filter(pk=invitation.pk).update(
            delivered_at=None, delivery_error=problem
        )
        invitation.delivered_at, invitation.delivery_error = None, problem
        return False
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(delivered_at=now, delivery_error="")
    invitation.delivered_at, invitation.delivery_error = now, ""
    return True


# --- accepting ---------------------------------------------------------------


def _locked_pending(token: str) -> Invitation:
    pk, secret = _read_token(token)
    invitation = Invitation.objects.select_for_update().filter(pk=pk).first()
    return _check_pending(invitation, secret)


def _join(invitation: Invitation, user) -> Membership:
    organization = _lock_organization(invitation.organization, members_change=True)
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise InvitationError(
            _("You are a member of %(organization)s already; nothing was changed.")
            % {"organization": organization}
        )
    membership = Membership.objects.create(
        organization=organization,
        user=user,
        role=invitation.role,
        affiliation=invitation.affiliation,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def accept_invitation(*, token: str, user) -> Membership:
    """A signed-in user joins; the account's e-mail must be the invited address."""
    with transaction.atomic():
        invitation = _locked_pending(token)
        if _normalise_email(user.email or "") != invitation.email:
            raise InvitationError(
                _(
                    "This invitation is for %(email)s, but you are signed in with another "
                    "account. Sign out, then open the link again."
                )
                % {"email": invitation.email}
            )
        return _join(invitation, user)


def create_account_and_accept(*, token: str, username: str, password: str):
    """A new account for the invited address, which joins at once; returns the user.

    The password is checked by the form (Django's validators) before this is called.
    """
    User = get_user_model()
    with transaction.atomic():
        invitation = _locked_pending(token)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(
                _(
                    "An account with the address %(email)s exists already: sign in with it, "
                    "then open the link again."
                )
                % {"email": invitation.email}
            )
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, email=invitation.email, password=password
                )
        except IntegrityError:
            raise InvitationError(_("This username is taken; choose another.")) from None
        _join(invitation, user)
    return user


# --- members -----------------------------------------------------------------


def _owner_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=OWNER).count()


def change_role(*, membership: Membership, role: str, by) -> Membership:
    if role not in Membership.Role.values:
        raise MembershipError(_("Choose a role: officer, auditor or owner."))
    with transaction.atomic():
        organization = _lock_organization(membership.organization, members_change=True)
        require_owner(organization=organization, by=by)
        fresh = Membership.objects.filter(pk=membership.pk, organization=organization).first()
        if fresh is None:
            raise MembershipError(_("This person is no longer a member."))
        if fresh.role == OWNER and role != OWNER and _owner_count(organization) == 1:
            raise MembershipError(
                _("The organization needs an owner: make someone else owner first.")
            )
        before = fresh.role
        fresh.role = role
        if role != Membership.Role.AUDITOR:
            fresh.affiliation = ""
        fresh.save(update_fields=["role", "affiliation"])
    logger.info(
        "%s changed the role of %s in %s from %s to %s",
        by.get_username(),
        fresh.user.get_username(),
        organization.slug,
        before,
        role,
    )
    return fresh


AFFILIATION_MAX_CHARS = Membership._meta.get_field("affiliation").max_length


def change_affiliation(*, membership: Membership, affiliation: str, by) -> Membership:
    """Set an auditor's affiliation (their audit firm, which prefills the auditor line
    of the opinion and the report). Only owners; only for auditors."""
    affiliation = " ".join(affiliation.split())
    if len(affiliation) > AFFILIATION_MAX_CHARS:
        raise MembershipError(
            _("An affiliation has at most %(limit)d characters; nothing was changed.")
            % {"limit": AFFILIATION_MAX_CHARS}
        )
    with transaction.atomic():
        organization = _lock_organization(membership.organization, members_change=True)
        require_owner(organization=organization, by=by)
        fresh = (
            Membership.objects.select_related("user")
            .filter(pk=membership.pk, organization=organization)
            .first()
        )
        if fresh is None:
            raise MembershipError(_("This person is no longer a member."))
        if fresh.role != Membership.Role.AUDITOR:
            raise MembershipError(_("Only auditors have an affiliation; nothing was changed."))
        before = fresh.affiliation
        if before == affiliation:
            return fresh
        fresh.affiliation = affiliation
        fresh.save(update_fields=["affiliation"])
    logger.info(
        "%s changed the affiliation of %s in %s from %r to %r",
        by.get_username(),
        fresh.user.get_username(),
        organization.slug,
        before,
        affiliation,
    )
    return fresh


def remove_member(*, membership: Membership, by) -> None:
    with transaction.atomic():
        organization = _lock_organization(membership.organization, members_change=True)
        require_owner(organization=organization, by=by)
        fresh = Membership.objects.filter(pk=membership.pk, organization=organization).first()
        if fresh is None:
            raise MembershipError(_("This person is no longer a member."))
        if fresh.role == OWNER and _owner_count(organization) == 1:
            raise MembershipError(
                _("The last owner cannot be removed: make someone else owner first.")
            )
        fresh.delete()
    logger.info(
        "%s removed %s (%s) from %s",
        by.get_username(),
        fresh.user.get_username(),
        fresh.role,
        organization.slug,
    )


# --- organizations -----------------------------------------------------------


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_organization(*, name: str, owner_email: str, by=None):
    """A new organization and its first owner: made owner at once if an account has
    ``owner_email``, invited otherwise. Returns (organization, membership, link): one of
    membership and link is None."""
    name = name.strip()
    if not name:
        raise InvitationError(_("Give the organization a name."))
    User = get_user_model()
    with transaction.atomic():
        if Organization.objects.filter(name__iexact=name).exists():
            raise InvitationError(
                _("An organization named %(name)s exists already.") % {"name": name}
            )
        organization = Organization.objects.create(name=name, slug=_free_slug(name))
        users = list(User.objects.filter(email__iexact=_normalise_email(owner_email))[:2])
        if len(users) > 1:
            raise InvitationError(
                _(
                    "Several accounts have the address %(email)s; make one of them owner "
                    "in the admin."
                )
                % {"email": owner_email}
            )
        if users:
            membership = Membership.objects.create(
                organization=organization, user=users[0], role=OWNER
            )
            return organization, membership, None
        _invitation, link = invite_member(
            organization=organization, email=owner_email, role=OWNER, by=by
        )
    return organization, None, link
