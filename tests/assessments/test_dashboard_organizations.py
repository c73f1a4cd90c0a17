"""An external auditor of several organizations: one dashboard, grouped by organization;
the opinion's affiliation defaults from the membership."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Membership
from tests.conftest import make_org, make_user

pytestmark = pytest.mark.django_db
AUDITOR, OFFICER = Membership.Role.AUDITOR, Membership.Role.OFFICER


def _org_with_assessments(name, slug, count, auditor):
    org = make_org(name, slug)
    officer = make_user(f"officer-{slug}")
    Membership.objects.create(user=officer, organization=org, role=OFFICER)
    Membership.objects.create(user=auditor, organization=org, role=AUDITOR, affiliation="Firm LLP")
    for index in range(count):
        services.create_assessment(
            organization=org, title=f"{name} assessment {index}", scope="s", by=officer
        )
    return org


def test_auditor_sees_every_organization_grouped(client):
    auditor = make_user("ext")
    _org_with_assessments("Beta Corp", "beta", 2, auditor)
    _org_with_assessments("Alpha Inc", "alpha", 1, auditor)
    empty = make_org("Gamma", "gamma")
    Membership.objects.create(user=auditor, organization=empty, role=AUDITOR)
    client.force_login(auditor)
    response = client.get(reverse("dashboard"))
    groups = response.context["groups"]
    assert [m.organization.name for m, _rows in groups] == ["Alpha Inc", "Beta Corp", "Gamma"]
    assert [len(rows) for _m, rows in groups] == [1, 2, 0]
    content = response.content.decode()
    assert content.index("Alpha Inc assessment 0") < content.index("Beta Corp assessment 1")
    assert "No assessments yet." in content


def test_dashboard_query_count_does_not_grow_with_organizations(
    client, django_assert_max_num_queries
):
    auditor = make_user("ext")
    for index in range(6):
        _org_with_assessments(f"Org {index}", f"org-{index}", 2, auditor)
    client.force_login(auditor)
    client.get(reverse("dashboard"))  # the process builds and keeps the live catalogue once
    with django_assert_max_num_queries(9):  # the kept catalogue costs one query (its stamp)
        response = client.get(reverse("dashboard"))
    assert len(response.context["rows"]) == 12 and len(response.context["groups"]) == 6


def test_approve_form_affiliation_defaults_from_the_membership(client, submitted, auditor):
    Membership.objects.filter(user=auditor).update(affiliation="Kansai Assurance LLP")
    client.force_login(auditor)
    response = client.get(reverse("assessment_detail", args=[submitted.pk]))
    assert response.context["approve_form"]["affiliation"].value() == "Kansai Assurance LLP"
    assert 'value="Kansai Assurance LLP"' in response.content.decode()
