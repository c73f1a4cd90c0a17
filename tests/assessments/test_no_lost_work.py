"""No lost work on the questionnaire: kept uploads, the error summary, filters."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Comment, Evidence, PendingUpload
from tests.assessments.helpers import applicable_codes, page_post_data, page_url
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def pdf(name="policy.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"1" * 300, content_type="application/pdf")


def failed_save_with_a_file(officer_client, assessment):
    """Question 1 gets a valid file; question 2 is invalid (N/A without justification)."""
    first, second = applicable_codes(assessment, "I")[:2]
    data = page_post_data(officer_client, assessment, "I")
    data.update(
        {
            f"{first}-response": "3",
            f"{first}-explanation": "Policy adopted.",
            f"{first}-evidence_description": "Signed policy",
            f"{first}-evidence_file": pdf(),
            f"{second}-response": "na",
        }
    )
    response = officer_client.post(page_url(assessment, "I"), data)
    assert response.status_code == 200
    return first, second, data, response


def test_a_failed_save_keeps_a_valid_upload_and_the_next_save_attaches_it(
    officer_client, assessment, officer
):
    first, second, data, response = failed_save_with_a_file(officer_client, assessment)

    content = response.content.decode()
    assert "“policy.pdf” (309" in content and "will be attached when you save" in content
    kept = PendingUpload.objects.get()
    assert (kept.user, kept.assessment, kept.question.code) == (officer, assessment, first)
    assert kept.description == "Signed policy"
    assert default_storage.exists(kept.file.name)
    assert not Answer.objects.exists()

    # The browser does not send the file again; the page posts the kept file's id.
    row = next(r for r in response.context["page"].rows if r.question.code == first)
    assert row.form["evidence_description"].value() in (None, ""), (
        "the description went with the kept file"
    )
    data.pop(f"{first}-evidence_file")
    data.pop(f"{first}-evidence_description")
    data[f"{first}-pending_upload"] = [str(kept.pk)]
    data[f"{second}-explanation"] = "We do not build models."
    response = officer_client.post(page_url(assessment, "I"), data)

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.answer.question.code == first
    assert (evidence.file_name, evidence.description) == ("policy.pdf", "Signed policy")
    assert evidence.file.name == kept.file.name and default_storage.exists(evidence.file.name)
    assert not PendingUpload.objects.exists()


def test_a_kept_upload_can_be_dropped(
    officer_client, assessment, django_capture_on_commit_callbacks
):
    first, second, data, response = failed_save_with_a_file(officer_client, assessment)
    kept = PendingUpload.objects.get()
    data.pop(f"{first}-evidence_file")
    data.pop(f"{first}-evidence_description")
    data[f"{first}-pending_upload"] = [str(kept.pk)]
    data[f"{first}-pending_remove"] = [str(kept.pk)]
    data[f"{second}-explanation"] = "We do not build models."
    with django_capture_on_commit_callbacks(execute=True):
        assert officer_client.post(page_url(assessment, "I"), data).status_code == 302
    assert not PendingUpload.objects.exists() and not Evidence.objects.exists()
    assert not default_storage.exists(kept.file.name)


def test_someone_elses_kept_upload_is_never_attached(client, assessment, officer, organization):
    client.force_login(officer)
    first, second, data, response = failed_save_with_a_file(client, assessment)
    kept = PendingUpload.objects.get()
    colleague = make_user("colin")
    organization.memberships.create(user=colleague, role="officer")
    client.force_login(colleague)
    other = page_post_data(client, assessment, "I")
    assert "policy.pdf" not in client.get(page_url(assessment, "I")).content.decode()
    other.update(
        {
            f"{first}-response": "2",
            f"{first}-explanation": "Partly.",
            f"{first}-pending_upload": [str(kept.pk)],
        }
    )
    assert client.post(page_url(assessment, "I"), other).status_code == 302
    assert not Evidence.objects.exists()
    assert PendingUpload.objects.filter(pk=kept.pk).exists()


def test_a_kept_upload_counts_against_the_evidence_limit(officer_client, assessment, settings):
    settings.EVIDENCE_MAX_ITEMS_PER_ANSWER = 1
    first, second, data, response = failed_save_with_a_file(officer_client, assessment)
    kept = PendingUpload.objects.get()
    data.pop(f"{first}-evidence_file")
    data[f"{first}-pending_upload"] = [str(kept.pk)]
    data[f"{first}-evidence_url"] = "https://example.org/policy"
    data[f"{first}-evidence_description"] = "Policy online"
    data[f"{second}-explanation"] = "We do not build models."
    response = officer_client.post(page_url(assessment, "I"), data)
    assert response.status_code == 200
    assert "at most 1 pieces of evidence" in response.content.decode()
    assert not Evidence.objects.exists()


def test_expired_kept_uploads_are_removed_by_remove_orphan_evidence(
    officer_client, assessment, django_capture_on_commit_callbacks
):
    failed_save_with_a_file(officer_client, assessment)
    kept = PendingUpload.objects.get()
    call_command("remove_orphan_evidence", "--delete", "--min-age-minutes", "0")
    assert PendingUpload.objects.exists() and default_storage.exists(kept.file.name)

    PendingUpload.objects.update(created_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remove_orphan_evidence", "--delete", "--min-age-minutes", "0")
    assert not PendingUpload.objects.exists()
    assert not default_storage.exists(kept.file.name)


def test_the_error_summary_names_each_question_once_with_a_link(officer_client, assessment):
    first, second = applicable_codes(assessment, "I")[:2]
    data = page_post_data(officer_client, assessment, "I")
    data.update({f"{first}-response": "2", f"{second}-response": "na"})
    response = officer_client.post(page_url(assessment, "I"), data)

    content = response.content.decode()
    problems = response.context["page"].problems()
    assert [(p.code, p.anchor) for p in problems] == [
        (first, f"id_{first}-explanation"),
        (second, f"id_{second}-explanation"),
    ]
    assert 'id="error-summary" tabindex="-1" autofocus' in content
    assert f'href="#id_{first}-explanation"' in content
    assert "Nothing was saved: correct the 2 problems below." in content
    # Each message appears in the summary and by its field, not a third time.
    message = "an explanation is required for every level"
    assert content.count(message) == 2


def test_an_explanation_is_required_for_every_level(officer_client, assessment):
    code = applicable_codes(assessment, "I")[0]
    for level in ("0", "1", "2", "3", "4"):
        data = page_post_data(officer_client, assessment, "I")
        data.update({f"{code}-response": level, f"{code}-evidence_url": "https://e.org/x"})
        data[f"{code}-evidence_description"] = "x"
        response = officer_client.post(page_url(assessment, "I"), data)
        assert response.status_code == 200, level
        assert "an explanation is required for every level" in response.content.decode()
    assert not Answer.objects.exists()


def test_an_untouched_answer_without_explanation_does_not_block_another_save(
    officer_client, assessment, officer
):
    first, second = applicable_codes(assessment, "I")[:2]
    question = services.result_for(assessment).principle("I").questions[0].question
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(question.id, 0, 2, False, "")],  # imported long ago
        by=officer,
    )
    data = page_post_data(officer_client, assessment, "I")
    data.update({f"{second}-response": "1", f"{second}-explanation": "Planned."})
    assert officer_client.post(page_url(assessment, "I"), data).status_code == 302


def answer(assessment, code, by, **values):
    question = next(
        q.question for p in services.result_for(assessment).principles for q in p.questions
        if q.question.code == code
    )  # fmt: skip
    values = {"level": None, "not_applicable": False, "explanation": "why", **values}
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(question.id, 0, **values)],
        by=by,
    )
    return Answer.objects.get(assessment=assessment, question_id=question.id)


def test_filters_show_unanswered_not_applicable_and_commented_questions(
    client, assessment, officer, auditor
):
    codes = applicable_codes(assessment, "I")
    answer(assessment, codes[0], officer, level=2)
    answer(assessment, codes[1], officer, not_applicable=True)
    commented = answer(assessment, codes[2], officer, level=3)
    Comment.objects.create(answer=commented, author=auditor, text="Show the policy.")
    client.force_login(officer)

    def shown(key):
        response = client.get(page_url(assessment, "I") + f"?show={key}")
        return [row.question.code for row in response.context["page"].rows]

    assert shown("unanswered") == codes[3:]
    assert shown("na") == [codes[1]]
    assert shown("comments") == [codes[2]]
    assert shown("nonsense") == codes  # an unknown filter shows everything
    content = client.get(page_url(assessment, "I") + "?show=na").content.decode()
    assert f"{len(codes) - 1} questions hidden by this filter." in content


def test_a_filtered_page_saves_what_it_shows_and_keeps_the_filter(
    officer_client, assessment, officer
):
    codes = applicable_codes(assessment, "I")
    answer(assessment, codes[0], officer, level=2)
    url = page_url(assessment, "I") + "?show=unanswered"
    response = officer_client.get(url)
    data = {}
    for row in response.context["page"].rows:
        data[row.form.add_prefix("version")] = row.form["version"].value()
    data.update({f"{codes[1]}-response": "1", f"{codes[1]}-explanation": "Planned."})
    response = officer_client.post(url, data)
    assert response.status_code == 302 and response.url == url
    assert Answer.objects.get(question__code=codes[0]).level == 2  # not on the page: kept
    assert Answer.objects.get(question__code=codes[1]).level == 1


def test_an_untouched_question_shows_no_error_when_another_fails(
    officer_client, assessment, officer
):
    first, second = applicable_codes(assessment, "I")[:2]
    question = services.result_for(assessment).principle("I").questions[0].question
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(question.id, 0, 2, False, "")],  # no explanation
        by=officer,
    )
    data = page_post_data(officer_client, assessment, "I")
    data[f"{second}-response"] = "1"  # no explanation either: this one is reported
    response = officer_client.post(page_url(assessment, "I"), data)
    assert [p.code for p in response.context["page"].problems()] == [second]
    assert response.content.decode().count("an explanation is required for every level") == 2
