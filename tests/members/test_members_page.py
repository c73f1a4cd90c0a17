"""The members page: owners manage people; outsiders get 404, other members 403."""

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Membership
from members import services
from members.models import Invitation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
OWNER, OFFICER, AUDITOR = Membership.Role.OWNER, Membership.Role.OFFICER, Membership.Role.AUDITOR


def url(name, organization, *args):
    return reverse(name, args=[organization.slug, *args])


def test_owner_sees_members_and_open_invitations(owner_client, organization, owner, officer):
    services.invite_member(organization=organization, email="a@example.org", role=AUDITOR, by=owner)
    response = owner_client.get(url("organization_members", organization))
    content = response.content.decode()
    assert response.status_code == 200
    assert "olivia" in content and "owen" in content and "a@example.org" in content


def test_outsider_gets_404_and_members_get_403(client, organization, officer, auditor, outsider):
    pages = [
        ("get", url("organization_members", organization)),
        ("post", url("member_invite", organization)),
        ("post", url("member_remove", organization, officer.memberships.get().pk)),
    ]
    for user, status in ((outsider, 404), (officer, 403), (auditor, 403)):
        client.force_login(user)
        for method, address in pages:
            assert getattr(client, method)(address).status_code == status, (user, address)
    assert Membership.objects.filter(organization=organization).count() == 2


def test_anonymous_is_sent_to_sign_in(client, organization):
    response = client.get(url("organization_members", organization))
    assert response.status_code == 302 and reverse("login") in response.url


def test_get_is_refused_on_actions(owner_client, organization, officer):
    address = url("member_remove", organization, officer.memberships.get().pk)
    assert owner_client.get(address).status_code == 405


def test_invite_from_the_page_sends_mail(
    owner_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url("member_invite", organization),
            {"email": "ann@example.org", "role": AUDITOR, "affiliation": "Firm LLP"},
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["ann@example.org"]
    assert Invitation.objects.get().affiliation == "Firm LLP"


def test_invite_with_bad_input_shows_the_form_again(owner_client, organization):
    response = owner_client.post(url("member_invite", organization), {"email": "x", "role": "x"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_owner_changes_a_role(owner_client, organization, officer):
    membership = officer.memberships.get()
    response = owner_client.post(
        url("member_role", organization, membership.pk), {f"m{membership.pk}-role": AUDITOR}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == AUDITOR


def test_the_last_owner_can_be_neither_demoted_nor_removed(owner_client, organization, owner):
    membership = owner.memberships.get()
    owner_client.post(
        url("member_role", organization, membership.pk), {f"m{membership.pk}-role": OFFICER}
    )
    response = owner_client.post(url("member_remove", organization, membership.pk), follow=True)
    assert "last owner cannot be removed" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == OWNER


def test_with_a_second_owner_the_first_may_step_down(owner_client, organization, owner):
    second = make_user("sam")
    Membership.objects.create(user=second, organization=organization, role=OWNER)
    membership = owner.memberships.get()
    owner_client.post(
        url("member_role", organization, membership.pk), {f"m{membership.pk}-role": OFFICER}
    )
    membership.refresh_from_db()
    assert membership.role == OFFICER


def test_owner_removes_a_member(owner_client, organization, officer):
    membership = officer.memberships.get()
    response = owner_client.post(url("member_remove", organization, membership.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_of_another_organization_cannot_be_touched(owner_client, organization, outsider):
    membership = outsider.memberships.get()
    response = owner_client.post(url("member_remove", organization, membership.pk))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_owner_revokes_and_resends(
    owner_client, organization, owner, django_capture_on_commit_callbacks
):
    invitation, _link = services.invite_member(
        organization=organization, email="a@example.org", role=OFFICER, by=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url("invitation_resend", organization, invitation.pk))
    assert len(mail.outbox) == 1
    owner_client.post(url("invitation_revoke", organization, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    response = owner_client.post(url("invitation_resend", organization, invitation.pk), follow=True)
    assert "invite the person again" in response.content.decode()
    page = owner_client.get(url("organization_members", organization)).content.decode()
    assert "a@example.org" not in page  # revoked invitations leave the list


def test_navbar_links_members_for_owners_only(client, owner, officer):
    client.force_login(owner)
    assert reverse("members_index") in client.get(reverse("dashboard")).content.decode()
    client.force_login(officer)
    assert reverse("members_index") not in client.get(reverse("dashboard")).content.decode()
    assert client.get(reverse("members_index")).status_code == 403


def test_members_index_goes_to_the_only_organization(owner_client, organization):
    response = owner_client.get(reverse("members_index"))
    assert response.url == url("organization_members", organization)
