"""Limits on requests that send e-mail: password resets and invitations.

Over a limit, the person is told so clearly and nothing is sent or created; a reset
for an unknown address reads exactly like one for a known address."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Membership
from members.models import Invitation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
OFFICER = Membership.Role.OFFICER
TOO_MANY_RESETS = "Too many password-reset requests"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def reset(client, email, address="203.0.113.5"):
    return client.post(
        reverse("password_reset"), {"email": email}, follow=True, REMOTE_ADDR=address
    )


def test_resets_per_address_typed_are_limited_and_over_the_limit_nothing_is_sent(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 2
    make_user("ann", email="ann@example.org")
    for _n in range(2):
        assert "Check your e-mail" in reset(client, "ann@example.org").content.decode()
    assert len(mail.outbox) == 2
    refused = reset(client, "ANN@example.org ")  # the same address, however typed
    assert refused.status_code == 429
    content = refused.content.decode()
    assert TOO_MANY_RESETS in content and "Nothing was sent" in content and "60 minutes" in content
    assert len(mail.outbox) == 2
    # Another address is not held back by ann's limit.
    make_user("bob", email="bob@example.org")
    assert "Check your e-mail" in reset(client, "bob@example.org").content.decode()
    assert len(mail.outbox) == 3


def page(response, local_part):
    """The page without its CSRF token and with the typed address blanked."""
    content = CSRF_TOKEN.sub("", response.content.decode())
    return content.replace(local_part, "X@")


def test_an_unknown_address_gets_the_same_answers_as_a_known_one(client, settings):
    """No account enumeration: below and over the limit, the pages are the same."""
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    make_user("ann", email="ann@example.org")
    known = [reset(client, "ann@example.org", "198.51.100.1") for _n in range(2)]
    unknown = [reset(client, "nobody@example.org", "198.51.100.2") for _n in range(2)]
    for k, u in zip(known, unknown, strict=True):
        assert k.status_code == u.status_code
        assert k.redirect_chain == u.redirect_chain
        assert page(k, "ann@") == page(u, "nobody@")
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]


def test_resets_per_client_address_are_limited(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        make_user(f"u{n}", email=f"u{n}@example.org")
        assert reset(client, f"u{n}@example.org").status_code == 200
    make_user("u3", email="u3@example.org")
    refused = reset(client, "u3@example.org")
    assert refused.status_code == 429 and TOO_MANY_RESETS in refused.content.decode()
    assert len(mail.outbox) == 3
    # Another client address can still ask.
    assert reset(client, "u3@example.org", "192.0.2.9").status_code == 200
    assert len(mail.outbox) == 4


def test_the_reset_window_passes(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    make_user("ann", email="ann@example.org")
    reset(client, "ann@example.org")
    assert reset(client, "ann@example.org").status_code == 429
    settings.PASSWORD_RESET_THROTTLE_SECONDS = 0  # the earlier request is now outside it
    assert reset(client, "ann@example.org").status_code == 200
    assert len(mail.outbox) == 2


def invite(client, organization, email):
    return client.post(
        reverse("member_invite", args=[organization.slug]),
        {"email": email, "role": OFFICER, "affiliation": ""},
        follow=True,
    )


def test_invitations_per_organization_are_limited(
    owner_client, organization, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_LIMIT_PER_ORGANIZATION = 2
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, organization, "a@example.org")
        invite(owner_client, organization, "b@example.org")
        refused = owner_client.post(
            reverse("member_invite", args=[organization.slug]),
            {"email": "c@example.org", "role": OFFICER},
        )
    assert refused.status_code == 429
    content = refused.content.decode()
    assert "sent 2 invitation e-mails in the last 60 minutes" in content
    assert "Nothing was sent" in content
    assert not Invitation.objects.filter(email="c@example.org").exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    # "Send again" counts against the same limit.
    pending = Invitation.objects.get(email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        again = owner_client.post(
            reverse("invitation_resend", args=[organization.slug, pending.pk]), follow=True
        )
    assert "the most allowed" in again.content.decode() and len(mail.outbox) == 2


def test_an_organizations_limit_does_not_hold_back_another(
    client, organization, owner, settings, django_capture_on_commit_callbacks
):
    from tests.conftest import make_org

    settings.INVITATION_LIMIT_PER_ORGANIZATION = 1
    other = make_org("Other Org", "other-org")
    Membership.objects.create(user=owner, organization=other, role=Membership.Role.OWNER)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, organization, "a@example.org")
        assert invite(client, organization, "b@example.org").status_code == 429
        assert invite(client, other, "c@example.org").status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "c@example.org"]


def test_sending_one_invitation_again_is_limited(
    owner_client, organization, owner, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_RESEND_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, organization, "a@example.org")
    invitation = Invitation.objects.get(email="a@example.org")
    address = reverse("invitation_resend", args=[organization.slug, invitation.pk])
    for _n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            content = owner_client.post(address, follow=True).content.decode()
        assert "the most allowed" not in content
    token_hash = Invitation.objects.get(pk=invitation.pk).token_hash
    with django_capture_on_commit_callbacks(execute=True):
        content = owner_client.post(address, follow=True).content.decode()
    assert "This invitation was sent again 2 times in the last 60 minutes" in content
    assert "Nothing was sent" in content
    assert len(mail.outbox) == 3
    # The link of the last e-mail still works: nothing was replaced.
    assert Invitation.objects.get(pk=invitation.pk).token_hash == token_hash
    # Another invitation of the organization can still be sent again.
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, organization, "b@example.org")
        other = Invitation.objects.get(email="b@example.org")
        owner_client.post(reverse("invitation_resend", args=[organization.slug, other.pk]))
    assert len(mail.outbox) == 5
