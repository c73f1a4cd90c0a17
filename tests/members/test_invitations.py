"""Invitations: the signed, single-use, expiring link and what accepting it does."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from assessments.models import Membership
from members import services
from members.models import Invitation, hash_secret
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
AUDITOR = Membership.Role.AUDITOR
OFFICER = Membership.Role.OFFICER


def invite(organization, owner, email="ann@example.org", role=OFFICER, **extra):
    invitation, link = services.invite_member(
        organization=organization, email=email, role=role, by=owner, **extra
    )
    return invitation, link.rsplit("/invitations/", 1)[1].rstrip("/")


def sign_up(client, token, username="ann"):
    return client.post(
        reverse("invitation_accept", args=[token]),
        {"username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_invitation_email_carries_the_link_in_text_and_html(
    organization, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(organization, owner, role=AUDITOR, affiliation="Audit LLP")
    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    assert "Example AI Labs" in message.subject
    assert f"/invitations/{token}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f"/invitations/{token}/" in html
    # Only a hash of the secret is stored; the token itself is nowhere in the row.
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())


def test_a_new_person_creates_an_account_and_joins_with_the_invited_role(
    client, organization, owner
):
    _invitation, token = invite(organization, owner, role=AUDITOR, affiliation="Audit LLP")
    response = sign_up(client, token)
    assert response.status_code == 302 and response.url == reverse("dashboard")
    user = get_user_model().objects.get(username="ann")
    assert user.email == "ann@example.org" and user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user, organization=organization)
    assert (membership.role, membership.affiliation) == (AUDITOR, "Audit LLP")
    assert client.get(reverse("dashboard")).context["user"] == user  # signed in


def test_accepting_twice_changes_nothing_and_says_so(client, organization, owner):
    _invitation, token = invite(organization, owner)
    sign_up(client, token)
    client.logout()
    response = sign_up(client, token, username="ann2")
    assert response.status_code == 410
    assert "already been accepted" in response.content.decode()
    assert not get_user_model().objects.filter(username="ann2").exists()


def test_a_tampered_token_is_refused(client, organization, owner):
    invitation, token = invite(organization, owner)
    forged = signing.dumps([invitation.pk, "guessed-secret"], salt="members.invitation")
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        response = sign_up(client, bad)
        assert response.status_code == 410
    assert Membership.objects.filter(organization=organization).count() == 1  # the owner


def test_an_expired_invitation_is_refused(client, organization, owner, settings):
    invitation, token = invite(organization, owner)
    settings.INVITATION_MAX_AGE_DAYS = 0  # the signature is now too old
    response = sign_up(client, token)
    assert response.status_code == 410 and "expired" in response.content.decode()
    settings.INVITATION_MAX_AGE_DAYS = 7
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = sign_up(client, token)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not get_user_model().objects.filter(username="ann").exists()


def test_a_revoked_invitation_is_refused(client, organization, owner):
    invitation, token = invite(organization, owner)
    services.revoke_invitation(invitation=invitation, by=owner)
    response = sign_up(client, token)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_sending_again_replaces_the_link(client, organization, owner):
    invitation, old = invite(organization, owner)
    link = services.resend_invitation(invitation=invitation, by=owner)
    new = link.rsplit("/invitations/", 1)[1].rstrip("/")
    assert sign_up(client, old).status_code == 410
    assert sign_up(client, new).status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_at and invitation.token_hash == hash_secret(
        signing.loads(new, salt="members.invitation")[1]
    )


def test_an_existing_account_joins_when_signed_in_with_the_invited_address(
    client, organization, owner
):
    other_org_auditor = make_user("audrey", email="Audrey@Firm.example")
    _invitation, token = invite(organization, owner, email="audrey@firm.example", role=AUDITOR)
    client.force_login(other_org_auditor)
    page = client.get(reverse("invitation_accept", args=[token]))
    assert "Join as audrey" in page.content.decode()
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 302
    assert Membership.objects.get(user=other_org_auditor, organization=organization).role == AUDITOR


def test_a_different_account_cannot_take_the_invitation(client, organization, owner):
    _invitation, token = invite(organization, owner)
    mallory = make_user("mallory", email="mallory@example.org")
    client.force_login(mallory)
    assert (
        "but the invitation is for"
        in client.get(reverse("invitation_accept", args=[token])).content.decode()
    )
    response = client.post(reverse("invitation_accept", args=[token]), follow=True)
    assert "is for ann@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=mallory, organization=organization).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_address_with_an_account_must_sign_in_rather_than_sign_up(client, organization, owner):
    make_user("ann-old", email="ann@example.org")
    _invitation, token = invite(organization, owner)
    response = sign_up(client, token, username="ann-new")
    assert "exists already" in response.content.decode()
    assert not get_user_model().objects.filter(username="ann-new").exists()


def test_weak_passwords_are_refused_by_djangos_validators(client, organization, owner):
    _invitation, token = invite(organization, owner)
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {"username": "ann", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not get_user_model().objects.filter(username="ann").exists()


def test_a_member_cannot_be_invited_again_nor_hold_two_roles(organization, owner, officer):
    officer.email = "olivia@example.org"
    officer.save()
    with pytest.raises(services.InvitationError, match="already a member"):
        invite(organization, owner, email="OLIVIA@example.org", role=AUDITOR)
    invite(organization, owner)
    with pytest.raises(services.InvitationError, match="pending invitation"):
        invite(organization, owner, role=AUDITOR)


def test_a_member_who_joined_meanwhile_cannot_accept_a_second_role(client, organization, owner):
    ann = make_user("ann", email="ann@example.org")
    _invitation, token = invite(organization, owner, role=AUDITOR)
    Membership.objects.create(user=ann, organization=organization, role=OFFICER)
    client.force_login(ann)
    response = client.post(reverse("invitation_accept", args=[token]), follow=True)
    assert "member of Example AI Labs already" in response.content.decode()
    assert Membership.objects.get(user=ann, organization=organization).role == OFFICER


def test_only_owners_invite(organization, officer):
    with pytest.raises(services.PermissionDenied):
        services.invite_member(
            organization=organization, email="x@example.org", role=OFFICER, by=officer
        )


def test_invalid_address_or_role_is_refused(organization, owner):
    with pytest.raises(services.InvitationError, match="valid e-mail"):
        invite(organization, owner, email="not-an-address")
    with pytest.raises(services.InvitationError, match="Choose a role"):
        invite(organization, owner, role="admin")
    assert not Invitation.objects.exists()


def test_expiry_is_a_setting(organization, owner, settings):
    settings.INVITATION_MAX_AGE_DAYS = 2
    invitation, _token = invite(organization, owner)
    remaining = invitation.expires_at - timezone.now()
    assert timedelta(days=1, hours=23) < remaining <= timedelta(days=2)


def test_a_mail_server_that_refuses_leaves_the_invitation_to_send_again(
    organization, owner, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _token = invite(organization, owner)
    assert "could not be sent" in caplog.text
    assert Invitation.objects.get(pk=invitation.pk).is_pending
