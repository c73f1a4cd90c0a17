"""My work for an auditor: the assessments awaiting review, at a constant query count
however many there are (the officer's side is pinned in test_assignments.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Membership
from tests.conftest import answer_everything, make_org, make_user

pytestmark = pytest.mark.django_db


def submitted_in(org, count):
    officer = make_user(f"{org.slug}-officer")
    Membership.objects.create(user=officer, organization=org, role=Membership.Role.OFFICER)
    for index in range(count):
        assessment = services.create_assessment(
            organization=org, title=f"{org.slug}-{index}", scope="s", by=officer
        )
        answer_everything(assessment, officer)
        services.submit_assessment(assessment=assessment, by=officer)


def test_awaiting_review_query_count_is_constant(client, django_assert_num_queries):
    auditor = make_user("audra")
    orgs = [make_org(f"Firm client {i}", f"client{i}") for i in range(2)]
    for org in orgs:
        Membership.objects.create(user=auditor, organization=org, role=Membership.Role.AUDITOR)
    submitted_in(orgs[0], 1)
    client.force_login(auditor)
    client.get(reverse("my_work"))
    with CaptureQueriesContext(connection) as few:
        first = client.get(reverse("my_work"))
    submitted_in(orgs[1], 2)
    submitted_in(make_org("Not a client", "not-a-client"), 1)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("my_work"))
    assert len(first.context["reviews"]) == 1
    titles = [a.title for a in response.context["reviews"]]
    assert sorted(titles) == ["client0-0", "client1-0", "client1-1"]
    for title in titles:
        assert title in response.content.decode()
