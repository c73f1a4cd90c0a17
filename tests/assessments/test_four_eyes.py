"""Separation of duties: the approver neither submitted nor changed an answer."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, Membership
from reports.document import build_report
from tests.assessments.helpers import applicable_codes, page_post_data, page_url
from tests.conftest import an_opinion, answer_everything, make_user
from tests.reports.conftest import fake_render  # a small real PDF: issued reports are signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fake_pdf(monkeypatch):
    monkeypatch.setattr("reports.pdf.render_report_pdf", fake_render)


def become_auditor(user):
    Membership.objects.filter(user=user).update(role=Membership.Role.AUDITOR)


def test_the_submitter_cannot_approve(client, submitted, officer):
    become_auditor(officer)
    client.force_login(officer)
    opinion = {
        "review_scope": "All.",
        "sampling": "All.",
        "opinion": "Fine.",
        "affiliation": "Self",
        "independent": "no",
        "confirm": "yes",
    }
    response = client.post(reverse("assessment_approve", args=[submitted.pk]), opinion)
    content = response.content.decode()
    assert "Separation of duties" in content and "submitted" in content
    assert Assessment.objects.get(pk=submitted.pk).status == "submitted"


def test_someone_who_changed_an_answer_cannot_approve(
    client, assessment, officer, organization, auditor
):
    answer_everything(assessment, officer)
    helper = make_user("harriet")
    Membership.objects.create(user=helper, organization=organization, role="officer")
    client.force_login(helper)
    code = applicable_codes(assessment, "I")[0]
    data = page_post_data(client, assessment, "I")
    data[f"{code}-response"] = "1"
    assert client.post(page_url(assessment, "I"), data).status_code == 302
    services.submit_assessment(assessment=assessment, by=officer)
    become_auditor(helper)

    with pytest.raises(services.WorkflowError, match="changed answers"):
        services.approve_assessment(
            assessment=Assessment.objects.get(pk=assessment.pk), by=helper, opinion=an_opinion()
        )
    assert Assessment.objects.get(pk=assessment.pk).status == "submitted"
    # Someone who took no part approves.
    services.approve_assessment(
        assessment=Assessment.objects.get(pk=assessment.pk), by=auditor, opinion=an_opinion()
    )
    assert Assessment.objects.get(pk=assessment.pk).status == "approved"


def test_starting_a_revision_is_not_a_change_to_its_answers(approved, officer, auditor):
    revision = services.start_revision(assessment=approved, by=officer)
    services.submit_assessment(assessment=revision, by=officer)
    # Another officer starts nothing; the auditor of revision 1 may approve revision 2.
    services.approve_assessment(
        assessment=Assessment.objects.get(pk=revision.pk), by=auditor, opinion=an_opinion()
    )
    revision.refresh_from_db()
    assert revision.status == "approved"
    changed_by = {a.updated_by for a in Answer.objects.filter(assessment=revision)}
    assert changed_by == {officer}


def test_relaxed_for_a_one_person_organization_and_the_report_says_so(submitted, officer, settings):
    settings.FOUR_EYES_RELAXED = True
    become_auditor(officer)
    services.approve_assessment(
        assessment=Assessment.objects.get(pk=submitted.pk), by=officer, opinion=an_opinion()
    )
    approved = Assessment.objects.get(pk=submitted.pk)
    assert approved.status == "approved" and approved.approved_by == officer
    duties = build_report(assessment=approved)["workflow"]["separation_of_duties"]
    assert duties["enforced"] is False
    assert "FOUR_EYES_RELAXED" in duties["note"]
    assert "olivia" in duties["note"] and "submitted" in duties["note"]


def test_the_report_says_when_separation_of_duties_was_enforced(approved):
    duties = build_report(assessment=approved)["workflow"]["separation_of_duties"]
    assert duties["enforced"] is True
    assert "arthur" in duties["note"]


def test_relaxed_setting_changes_nothing_when_the_approver_took_no_part(
    submitted, auditor, settings
):
    settings.FOUR_EYES_RELAXED = True
    services.approve_assessment(assessment=submitted, by=auditor, opinion=an_opinion())
    duties = build_report(assessment=Assessment.objects.get(pk=submitted.pk))["workflow"][
        "separation_of_duties"
    ]
    assert duties["enforced"] is True
