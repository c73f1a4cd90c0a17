"""Staff invite from the admin (the first owner of a new organization, say)."""

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Membership
from members import services
from members.models import Invitation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(make_user("ada", is_staff=True, is_superuser=True))
    return client


def test_staff_invite_an_owner_from_the_admin(
    staff_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:members_invitation_add"),
            {"organization": organization.pk, "email": "kei@example.org", "role": "owner"},
            follow=True,
        )
    assert "Invitation to kei@example.org made" in response.content.decode()
    invitation = Invitation.objects.get()
    assert invitation.role == Membership.Role.OWNER
    assert mail.outbox[0].to == ["kei@example.org"]


def test_send_invitation_action_sends_again(
    staff_client, organization, django_capture_on_commit_callbacks
):
    invitation, _link = services.invite_member(
        organization=organization, email="kei@example.org", role="owner", by=None
    )
    old_hash = invitation.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:members_invitation_changelist"),
            {"action": "send_invitation", "_selected_action": [invitation.pk]},
        )
    invitation.refresh_from_db()
    assert len(mail.outbox) == 1 and invitation.token_hash != old_hash
