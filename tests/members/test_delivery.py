"""Invitation e-mails: what became of them is recorded and shown, never "sent" when
the mail server refused; they are written in the invitee's language. A real SMTP
server on 127.0.0.1 (tests/smtp.py) receives or refuses them."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.services import set_user_language
from assessments.models import Membership
from members import services
from members.models import Invitation
from tests.conftest import make_user

OFFICER = Membership.Role.OFFICER


def members_page(client, organization):
    return client.get(reverse("organization_members", args=[organization.slug])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_refused_invitation_says_so_and_can_be_sent_again(
    catalogue_restored, smtp_server, owner_client, organization
):
    """Transactional: the e-mail goes out on commit, inside the request, as in production."""
    smtp_server.refused.add("ann@example.org")
    response = owner_client.post(
        reverse("member_invite", args=[organization.slug]),
        {"email": "ann@example.org", "role": OFFICER},
        follow=True,
    )
    content = response.content.decode()
    assert "Invitation sent" not in content
    assert "the e-mail was not delivered: 550 5.1.1 Mailbox unavailable" in content
    assert "Not delivered: 550 5.1.1 Mailbox unavailable" in content
    assert "Send again" in content
    invitation = Invitation.objects.get(email="ann@example.org")
    assert invitation.is_pending and invitation.delivered_at is None
    assert smtp_server.to("ann@example.org") == []

    smtp_server.refused.clear()  # say the owner had the mailbox fixed
    again = owner_client.post(
        reverse("invitation_resend", args=[organization.slug, invitation.pk]), follow=True
    ).content.decode()
    assert "The invitation was sent to ann@example.org again" in again
    assert "Not delivered" not in again and "Delivered to the mail server at" in again
    smtp_server.wait_for(to="ann@example.org")
    invitation.refresh_from_db()
    assert invitation.delivered_at is not None and invitation.delivery_error == ""


@pytest.mark.django_db(transaction=True)
def test_a_delivered_invitation_says_sent(
    catalogue_restored, smtp_server, owner_client, organization
):
    content = owner_client.post(
        reverse("member_invite", args=[organization.slug]),
        {"email": "bob@example.org", "role": OFFICER},
        follow=True,
    ).content.decode()
    assert "Invitation sent to bob@example.org." in content
    assert "Delivered to the mail server at" in content
    smtp_server.wait_for(to="bob@example.org")


@pytest.mark.django_db(transaction=True)
def test_no_mail_server_at_all_is_reported_too(
    catalogue_restored, settings, owner_client, organization
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    content = owner_client.post(
        reverse("member_invite", args=[organization.slug]),
        {"email": "cy@example.org", "role": OFFICER},
        follow=True,
    ).content.decode()
    assert "the e-mail was not delivered:" in content and "Not delivered:" in content
    assert Invitation.objects.get(email="cy@example.org").delivery_error


def subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


@pytest.mark.django_db
def test_an_existing_account_is_invited_in_its_profile_language(
    smtp_server, organization, owner, django_capture_on_commit_callbacks
):
    ken = make_user("ken", email="ken@example.org")
    set_user_language(user=ken, language="ja")
    eve = make_user("eve", email="eve@example.org")
    set_user_language(user=eve, language="en")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            organization=organization, email="ken@example.org", role=OFFICER, by=owner
        )
    with translation.override("ja"), django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            organization=organization, email="eve@example.org", role=OFFICER, by=owner
        )
    japanese = smtp_server.wait_for(to="ken@example.org")
    assert subject(japanese) == "HAIP 自己評価の Example AI Labs への招待"
    assert "招待" in smtp_server.text(japanese) and '<html lang="ja">' in smtp_server.html(japanese)
    english = smtp_server.wait_for(to="eve@example.org")
    assert subject(english) == "You are invited to Example AI Labs on the HAIP self-assessment"
    assert '<html lang="en">' in smtp_server.html(english)


@pytest.mark.django_db
def test_a_new_address_is_invited_in_the_inviters_language(
    smtp_server, organization, owner, django_capture_on_commit_callbacks
):
    with translation.override("ja"), django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            organization=organization, email="new@example.org", role=OFFICER, by=owner
        )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            organization=organization, email="new2@example.org", role=OFFICER, by=owner
        )
    assert subject(smtp_server.wait_for(to="new@example.org")).startswith("HAIP 自己評価の")
    assert subject(smtp_server.wait_for(to="new2@example.org")).startswith("You are invited")


@pytest.mark.django_db
def test_a_password_reset_is_mailed_in_the_accounts_language(client, smtp_server):
    ken = make_user("ken", email="ken@example.org")
    set_user_language(user=ken, language="ja")
    make_user("eve", email="eve@example.org")
    for address in ("ken@example.org", "eve@example.org"):
        client.post(reverse("password_reset"), {"email": address}, HTTP_ACCEPT_LANGUAGE="en")
    japanese = smtp_server.wait_for(to="ken@example.org")
    assert subject(japanese) == "HAIP 自己評価のパスワード再設定"
    assert '<html lang="ja">' in smtp_server.html(japanese)
    english = smtp_server.wait_for(to="eve@example.org")
    assert subject(english) == "Reset your password for the HAIP self-assessment"
