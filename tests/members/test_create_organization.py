import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import Membership, Organization
from members.models import Invitation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_creates_the_organization_and_invites_its_owner(
    capsys, client, catalogue_restored, settings
):
    settings.SITE_URL = "https://haip.example"
    call_command("create_organization", "Kumo AI K.K.", "--owner", "Kei@Kumo.example")
    out = capsys.readouterr().out
    organization = Organization.objects.get(name="Kumo AI K.K.")
    assert organization.slug == "kumo-ai-kk"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("kei@kumo.example", Membership.Role.OWNER)
    (message,) = mail.outbox
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://haip.example/invitations/") and link in message.body
    # The printed link works: the owner creates an account and manages the members.
    path = link.removeprefix("https://haip.example")
    client.post(
        path, {"username": "kei", "password1": "x7!Tq-lunar-99", "password2": "x7!Tq-lunar-99"}
    )
    assert Membership.objects.get(organization=organization).role == Membership.Role.OWNER
    response = client.get(reverse("organization_members", args=[organization.slug]))
    assert response.status_code == 200


def test_an_existing_account_becomes_owner_at_once(capsys, catalogue_restored):
    kei = make_user("kei", email="kei@kumo.example")
    call_command("create_organization", "Kumo", "--owner", "KEI@kumo.example")
    assert "kei (KEI@kumo.example) is its owner" in capsys.readouterr().out
    assert Membership.objects.get(user=kei).role == Membership.Role.OWNER
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_taken_name_is_refused_and_nothing_is_made(catalogue_restored):
    Organization.objects.create(name="Kumo", slug="kumo")
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_organization", "kumo", "--owner", "kei@kumo.example")
    with pytest.raises(CommandError, match="valid e-mail"):
        call_command("create_organization", "Other", "--owner", "not-an-address")
    assert Organization.objects.count() == 1 and not Invitation.objects.exists()


def test_slugs_stay_unique(catalogue_restored):
    Organization.objects.create(name="Kumo Ltd", slug="kumo")
    call_command("create_organization", "Kumo", "--owner", "k@kumo.example")
    assert Organization.objects.get(name="Kumo").slug == "kumo-2"


def test_an_undelivered_invitation_is_said_and_its_link_printed(
    capsys, catalogue_restored, smtp_server
):
    smtp_server.refused.add("kei@kumo.example")
    call_command("create_organization", "Kumo", "--owner", "kei@kumo.example")
    out = capsys.readouterr().out
    assert "was NOT delivered (550 5.1.1 Mailbox unavailable)" in out
    assert "/invitations/" in out.strip().splitlines()[-1]
    assert Invitation.objects.get().delivery_error == "550 5.1.1 Mailbox unavailable"
