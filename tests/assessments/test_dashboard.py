import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Membership, Organization
from tests.conftest import answer_everything

pytestmark = pytest.mark.django_db


def test_dashboard_lists_assessments_with_progress_score_and_band(client, submitted, auditor):
    client.force_login(auditor)
    response = client.get(reverse("dashboard"))
    content = response.content.decode()
    result = services.result_for(submitted)
    assert submitted.title in content and "Example AI Labs" in content
    assert f"{result.answered} / {result.applicable} (100%)" in content
    assert f"{result.score:.1f}" in content and result.band.label in content


def test_dashboard_query_count_does_not_grow_with_assessments_or_catalogue(
    client, officer, organization, big_catalogue, django_assert_max_num_queries
):
    for index in range(12):
        a = services.create_assessment(
            organization=organization, title=f"A{index}", scope="s", by=officer
        )
        if index % 3 == 0:
            answer_everything(a, officer)
        if index % 6 == 0:
            services.submit_assessment(assessment=a, by=officer)
    client.force_login(officer)
    # 12, and the live catalogue's OECD sections (one query, whatever the catalogue)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("dashboard"))
    assert len(response.context["rows"]) == 12


def test_seed_demo_creates_the_demo_and_running_twice_changes_nothing(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "username: officer" in out and "password:" in out
    org = Organization.objects.get(slug="aurora")
    statuses = sorted(org.assessments.values_list("status", flat=True))
    assert statuses == ["approved", "draft"]
    approved = org.assessments.get(status="approved")
    result = services.result_for(approved)
    assert result.is_complete
    not_applicable = result.not_applicable()
    assert not_applicable
    # Each "not applicable" answer has its own justification, accepted by the auditor,
    # and the approval carries the auditor's opinion.
    justifications = [q.answer.explanation for q in not_applicable]
    assert len(set(justifications)) == len(justifications)
    assert all(q.answer.na_accepted_by.username == "auditor" for q in not_applicable)
    assert approved.audit_opinion.opinion and approved.audit_opinion.sampling
    assert approved.period_start.year == approved.period_end.year == 2025
    assert approved.answers.filter(evidence__isnull=False).exists()
    draft = services.result_for(org.assessments.get(status="draft"))
    assert 0 < draft.answered < draft.applicable
    counts = (Assessment.objects.count(), Membership.objects.count())

    call_command("seed_demo")
    assert "nothing changed" in capsys.readouterr().out
    assert (Assessment.objects.count(), Membership.objects.count()) == counts
