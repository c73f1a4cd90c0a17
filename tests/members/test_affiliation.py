"""Owners edit an auditor's affiliation (the audit firm of the report's auditor line)
on the members page; nobody else can, and forged posts change nothing."""

import logging

import pytest
from django.urls import reverse

from assessments.models import Membership
from tests.conftest import make_org, make_user

pytestmark = pytest.mark.django_db


def url(organization, membership):
    return reverse("member_affiliation", args=[organization.slug, membership.pk])


def affiliation_of(user):
    return Membership.objects.get(user=user).affiliation


def test_owner_sets_an_auditors_firm_and_it_is_logged(owner_client, organization, auditor, caplog):
    membership = auditor.memberships.get()
    page = owner_client.get(reverse("organization_members", args=[organization.slug]))
    assert f'action="{url(organization, membership)}"' in page.content.decode()
    assert "Audit firm of arthur" in page.content.decode()
    with caplog.at_level(logging.INFO, logger="members"):
        response = owner_client.post(
            url(organization, membership), {f"a{membership.pk}-affiliation": "  Audit  LLP "},
            follow=True,
        )  # fmt: skip
    assert "arthur&#x27;s affiliation was changed." in response.content.decode()
    assert affiliation_of(auditor) == "Audit LLP"
    assert 'value="Audit LLP"' in response.content.decode()
    assert "owen changed the affiliation of arthur in example from '' to 'Audit LLP'" in caplog.text


def test_only_auditors_have_an_affiliation(owner_client, organization, officer):
    membership = officer.memberships.get()
    page = owner_client.get(reverse("organization_members", args=[organization.slug]))
    assert url(organization, membership) not in page.content.decode()
    response = owner_client.post(
        url(organization, membership), {f"a{membership.pk}-affiliation": "Forged"}, follow=True
    )
    assert "Only auditors have an affiliation; nothing was changed." in response.content.decode()
    assert affiliation_of(officer) == ""


def test_too_long_is_refused_and_changes_nothing(owner_client, organization, auditor):
    membership = auditor.memberships.get()
    membership.affiliation = "Before"
    membership.save()
    response = owner_client.post(
        url(organization, membership), {f"a{membership.pk}-affiliation": "x" * 201}, follow=True
    )
    assert "at most 200 characters" in response.content.decode()
    assert affiliation_of(auditor) == "Before"


def test_outsiders_get_404_other_members_403_and_csrf_is_required(
    client, organization, officer, auditor, outsider, owner
):
    membership = auditor.memberships.get()
    data = {f"a{membership.pk}-affiliation": "Forged"}
    for user, status in ((outsider, 404), (officer, 403), (auditor, 403)):
        client.force_login(user)
        assert client.post(url(organization, membership), data).status_code == status
    assert client.get(url(organization, membership)).status_code == 405
    # An owner of another organization cannot reach this membership through their own.
    other = make_org("Elsewhere Ltd", "elsewhere-ltd")
    stranger = make_user("stan")
    Membership.objects.create(user=stranger, organization=other, role=Membership.Role.OWNER)
    client.force_login(stranger)
    assert client.post(url(other, membership), data).status_code == 404
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(url(organization, membership), data).status_code == 403
    assert affiliation_of(auditor) == ""


def test_members_page_query_count_does_not_grow(
    owner_client, organization, owner, django_assert_num_queries
):
    """Members with their role and firm forms, invitations with their delivery: a fixed
    number of queries however many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members import services

    address = reverse("organization_members", args=[organization.slug])

    def add(start, count):
        for n in range(start, start + count):
            user = make_user(f"aud{n}", email=f"aud{n}@example.org")
            Membership.objects.create(
                user=user, organization=organization, role=Membership.Role.AUDITOR,
                affiliation=f"Firm {n}",
            )  # fmt: skip
            services.invite_member(
                organization=organization, email=f"new{n}@example.org", role="officer", by=owner
            )

    add(0, 1)
    owner_client.get(address)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(address)
    add(1, 15)
    with django_assert_num_queries(len(few.captured_queries)):
        content = owner_client.get(address).content.decode()
    assert content.count("Not known yet") == 16 and "Firm 15" in content
