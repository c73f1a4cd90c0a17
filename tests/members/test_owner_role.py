"""What an owner may do with assessments: see them, but neither answer nor approve."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from tests.conftest import an_opinion, answer_everything

pytestmark = pytest.mark.django_db


def test_owner_sees_the_organizations_assessments(client, owner, assessment):
    client.force_login(owner)
    assert assessment.title in client.get(reverse("dashboard")).content.decode()
    assert client.get(reverse("assessment_detail", args=[assessment.pk])).status_code == 200


def test_owner_cannot_start_answer_submit_or_approve(client, owner, officer, assessment):
    with pytest.raises(PermissionDenied):
        services.create_assessment(
            organization=assessment.organization, title="t", scope="s", by=owner
        )
    with pytest.raises(PermissionDenied):
        answer_everything(assessment, owner)
    answer_everything(assessment, officer)
    with pytest.raises(PermissionDenied):
        services.submit_assessment(assessment=assessment, by=owner)
    services.submit_assessment(assessment=assessment, by=officer)
    with pytest.raises(PermissionDenied):
        services.approve_assessment(assessment=assessment, by=owner, opinion=an_opinion())
    client.force_login(owner)
    for name in ("assessment_submit", "assessment_approve", "assessment_return"):
        assert client.post(reverse(name, args=[assessment.pk])).status_code == 403, name
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.SUBMITTED


def test_an_officer_made_auditor_still_cannot_approve_own_answers(owner, officer, assessment):
    from members import services as member_services

    answer_everything(assessment, officer)
    services.submit_assessment(assessment=assessment, by=officer)
    member_services.change_role(membership=officer.memberships.get(), role="auditor", by=owner)
    services.accept_not_applicable(
        assessment=assessment,
        by=officer,
        codes=services.unaccepted_not_applicable(assessment),
    )
    with pytest.raises(services.WorkflowError, match="Separation of duties"):
        services.approve_assessment(assessment=assessment, by=officer, opinion=an_opinion())
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.SUBMITTED
