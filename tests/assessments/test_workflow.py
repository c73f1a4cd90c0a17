"""Draft → submitted → approved or returned; locking; snapshots; revisions; roles."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, AssessmentLocked, Comment, Evidence
from principles.models import LifecycleRole, Principle
from tests.assessments.helpers import applicable_codes, page_post_data, page_url
from tests.conftest import answer_everything, approve

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": "2026-01-01", "period_end": "2026-12-31"}


def test_submit_is_refused_while_questions_are_missing(client, assessment, officer):
    client.force_login(officer)
    response = client.post(
        reverse("assessment_submit", args=[assessment.pk]), {"confirm": "yes"}, follow=True
    )
    content = response.content.decode()
    assert "Not submitted" in content and "I.1" in content
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    detail = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "still to answer before you can submit" in detail


def test_officer_submits_a_complete_assessment(client, assessment, officer):
    answer_everything(assessment, officer)
    client.force_login(officer)
    response = client.post(
        reverse("assessment_submit", args=[assessment.pk]), {"confirm": "yes"}, follow=True
    )
    assert "Submitted for review" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.submitted_by == officer
    assert assessment.catalogue_snapshot["principles"][0]["wording_version"] == 1


def test_return_needs_a_comment(client, submitted, auditor):
    client.force_login(auditor)
    response = client.post(
        reverse("assessment_return", args=[submitted.pk]), {"comment": " "}, follow=True
    )
    assert "a comment is required" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_returned_assessment_is_a_draft_again_with_the_reason(client, submitted, auditor, officer):
    client.force_login(auditor)
    client.post(
        reverse("assessment_return", args=[submitted.pk]), {"comment": "Fix VI.1", "confirm": "yes"}
    )
    submitted.refresh_from_db()
    assert submitted.status == "draft" and submitted.catalogue_snapshot is None
    client.force_login(officer)
    detail = client.get(reverse("assessment_detail", args=[submitted.pk])).content.decode()
    assert "Fix VI.1" in detail
    assert client.get(page_url(submitted, "I")).context["page"].editable


def test_auditor_comments_are_shown_to_officers(client, submitted, auditor, officer):
    client.force_login(auditor)
    url = reverse("comment_add", args=[submitted.pk, "I.1"])
    response = client.post(url, {"text": "Which external testers?"})
    assert response.status_code == 302
    assert Comment.objects.get().author == auditor
    client.force_login(officer)
    assert "Which external testers?" in client.get(page_url(submitted, "I")).content.decode()


def test_comments_only_while_under_review(client, assessment, auditor, officer):
    answer_everything(assessment, officer)
    client.force_login(auditor)
    client.post(reverse("comment_add", args=[assessment.pk, "I.1"]), {"text": "early"})
    assert not Comment.objects.exists()


def test_approval_locks_the_assessment(client, approved, officer):
    assert approved.status == "approved" and approved.is_locked
    client.force_login(officer)
    code = applicable_codes(approved, "I")[0]
    answer = Answer.objects.get(assessment=approved, question__code=code)
    data = {f"{code}-version": answer.version, f"{code}-response": "0"}
    response = client.post(page_url(approved, "I"), data, follow=True)
    assert "approved and is locked" in response.content.decode()
    answer.refresh_from_db()
    assert answer.level == 3
    response = client.post(
        reverse("assessment_edit", args=[approved.pk]),
        {"title": "New", "scope": "s", "roles": [1]},
        follow=True,
    )
    assert "approved and is locked" in response.content.decode()
    with pytest.raises(AssessmentLocked):
        answer.level = 0
        answer.save()


def test_approved_assessment_cannot_be_approved_or_returned_again(client, approved, auditor):
    client.force_login(auditor)
    response = client.post(
        reverse("assessment_return", args=[approved.pk]), {"comment": "again"}, follow=True
    )
    assert "Only a submitted assessment" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_catalogue_edits_after_submission_do_not_change_what_it_shows(client, submitted, officer):
    principle = Principle.objects.get(numeral="I")
    old_text = principle.text
    principle.text = "A reworded principle."
    principle.save()
    assert principle.wording_version == 2
    client.force_login(officer)
    content = client.get(page_url(submitted, "I")).content.decode()
    assert old_text in content and "A reworded principle." not in content
    assert "version 1" in content


def test_new_revision_copies_answers_and_evidence(client, assessment, officer, auditor):
    answer_everything(assessment, officer)
    code = applicable_codes(assessment, "I")[0]
    answer = Answer.objects.get(assessment=assessment, question__code=code)
    services.save_answers(
        assessment=assessment,
        by=officer,
        inputs=[
            services.AnswerInput(
                answer.question_id, answer.version, 4, False, "All done.",
                new_evidence=services.NewEvidence(
                    upload=SimpleUploadedFile("proof.txt", b"proof of work\n")
                ),
            )
        ],
    )  # fmt: skip
    services.submit_assessment(assessment=assessment, by=officer)
    approve(Assessment.objects.get(pk=assessment.pk), auditor)

    client.force_login(officer)
    response = client.post(reverse("assessment_revise", args=[assessment.pk]))
    revision = Assessment.objects.get(predecessor=assessment)
    assert response.url == reverse("assessment_detail", args=[revision.pk])
    assert revision.status == "draft" and revision.revision == 2
    assert revision.answers.count() == assessment.answers.count()
    copied = Evidence.objects.get(answer__assessment=revision)
    original = Evidence.objects.get(answer__assessment=assessment)
    assert copied.sha256 == original.sha256 and copied.pk != original.pk
    assert copied.file.read() == b"proof of work\n"
    # The predecessor stays as it was.
    assert Assessment.objects.get(pk=assessment.pk).status == "approved"
    second = client.post(reverse("assessment_revise", args=[assessment.pk]), follow=True)
    assert "has been started already" in second.content.decode()


def test_changing_roles_keeps_answers_and_they_come_back(client, assessment, officer):
    answer_everything(assessment, officer, level=2)
    before = services.result_for(assessment)
    total = Answer.objects.filter(assessment=assessment).count()
    client.force_login(officer)
    only_use = LifecycleRole.objects.get(code="use")
    response = client.post(
        reverse("assessment_edit", args=[assessment.pk]),
        {**PERIOD, "title": assessment.title, "scope": assessment.scope, "roles": [only_use.pk]},
    )
    assert response.status_code == 302
    narrowed = services.result_for(assessment)
    assert narrowed.applicable != before.applicable
    assert Answer.objects.filter(assessment=assessment).count() == total

    back = LifecycleRole.objects.filter(code__in=["development", "deployment"])
    client.post(
        reverse("assessment_edit", args=[assessment.pk]),
        {
            **PERIOD,
            "title": assessment.title,
            "scope": assessment.scope,
            "roles": [r.pk for r in back],
        },
    )
    restored = services.result_for(assessment)
    assert (restored.answered, restored.applicable) == (before.answered, before.applicable)
    assert restored.score == before.score


def test_an_assessment_needs_at_least_one_role(client, assessment, officer):
    client.force_login(officer)
    response = client.post(
        reverse("assessment_edit", args=[assessment.pk]),
        {**PERIOD, "title": assessment.title, "scope": assessment.scope},
    )
    assert "Declare at least one lifecycle role." in response.content.decode()


def test_history_lists_old_and_new_values_with_who(client, assessment, officer, auditor):
    client.force_login(officer)
    code = applicable_codes(assessment, "I")[0]
    data = page_post_data(client, assessment, "I")
    data[f"{code}-response"] = "1"
    client.post(page_url(assessment, "I"), data)
    data = page_post_data(client, assessment, "I")
    data[f"{code}-response"] = "3"
    data[f"{code}-explanation"] = "Now in place."
    client.post(page_url(assessment, "I"), data)

    client.force_login(auditor)
    response = client.get(reverse("assessment_history", args=[assessment.pk]))
    changes = response.context["changes"]
    level_changes = [(c.old, c.new) for c in changes if c.field == "Level"]
    assert level_changes == [("1 – Planned", "3 – Largely implemented"), ("", "1 – Planned")]
    assert all(c.by == "olivia" for c in changes)
    assert "Now in place." in response.content.decode()


def test_new_assessment_starts_from_the_organization_roles(client, officer, organization):
    client.force_login(officer)
    response = client.post(
        reverse("assessment_create"),
        {**PERIOD, "organization": organization.pk, "title": "Fresh", "scope": "All systems"},
    )
    created = Assessment.objects.get(title="Fresh")
    assert response.url == reverse("assessment_detail", args=[created.pk])
    assert set(created.roles.values_list("code", flat=True)) == {"development", "deployment"}


def test_officer_cannot_create_for_another_organization(client, officer, outsider):
    client.force_login(officer)
    other = outsider.memberships.get().organization
    response = client.post(
        reverse("assessment_create"), {"organization": other.pk, "title": "x", "scope": "y"}
    )
    assert response.status_code == 200
    assert not Assessment.objects.filter(title="x").exists()
