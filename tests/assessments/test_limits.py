"""Bounded input: every limit is refused in the form (message by the field, nothing
saved) and in the service (so that no other caller can pass it either)."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, Comment, Evidence
from tests.assessments.helpers import applicable_codes, page_post_data, page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def first_question(assessment):
    code = applicable_codes(assessment, "I")[0]
    return code, services.result_for(assessment).principle("I").questions[0].question.id


def stored_files():
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def field_errors(response, code, field):
    for row in response.context["page"].rows:
        if row.question.code == code:
            return row.form.errors.get(field, [])
    return []


# --- explanation ---------------------------------------------------------------


def test_an_overlong_explanation_is_refused_by_the_field(officer_client, assessment, settings):
    settings.EXPLANATION_MAX_CHARS = 50
    code, _ = first_question(assessment)
    data = page_post_data(officer_client, assessment, "I")
    data.update({f"{code}-response": "2", f"{code}-explanation": "x" * 51})
    response = officer_client.post(page_url(assessment, "I"), data)
    assert response.status_code == 200
    assert any("at most 50 characters" in e for e in field_errors(response, code, "explanation"))
    assert not Answer.objects.exists()


def test_the_save_service_refuses_an_overlong_explanation(assessment, officer, settings):
    settings.EXPLANATION_MAX_CHARS = 50
    _, question_id = first_question(assessment)
    item = services.AnswerInput(question_id, 0, 2, False, "x" * 51)
    with pytest.raises(services.WorkflowError, match="at most 50 characters"):
        services.save_answers(assessment=assessment, inputs=[item], by=officer)
    assert not Answer.objects.exists()


# --- evidence ------------------------------------------------------------------


def link(n):
    return services.NewEvidence(description=f"Link {n}", url=f"https://example.org/{n}")


def test_evidence_items_per_answer_are_limited(officer_client, assessment, officer, settings):
    settings.EVIDENCE_MAX_ITEMS_PER_ANSWER = 2
    code, question_id = first_question(assessment)
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(question_id, 0, 2, False, "a", new_evidence=link(1))],
        by=officer,
    )
    answer = Answer.objects.get()
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(question_id, 1, 2, False, "a", new_evidence=link(2))],
        by=officer,
    )
    # The form says so by the field...
    data = page_post_data(officer_client, assessment, "I")
    data.update({f"{code}-evidence_description": "third", f"{code}-evidence_url": "https://e.org"})
    response = officer_client.post(page_url(assessment, "I"), data)
    assert any("at most 2 pieces" in e for e in field_errors(response, code, "evidence_url"))
    # ...and the service refuses it too.
    item = services.AnswerInput(question_id, 2, 3, False, "changed", new_evidence=link(3))
    with pytest.raises(services.WorkflowError, match="at most 2 pieces"):
        services.save_answers(assessment=assessment, inputs=[item], by=officer)
    answer.refresh_from_db()
    assert (answer.level, answer.explanation, answer.evidence.count()) == (2, "a", 2)


def test_total_evidence_bytes_per_assessment_are_limited(
    officer_client, assessment, officer, settings
):
    settings.EVIDENCE_MAX_TOTAL_BYTES = 300
    code, question_id = first_question(assessment)
    first = SimpleUploadedFile("one.txt", b"a" * 200)
    services.save_answers(
        assessment=assessment,
        inputs=[
            services.AnswerInput(
                question_id, 0, 2, False, "a", new_evidence=services.NewEvidence(upload=first)
            )
        ],
        by=officer,
    )
    files_before = stored_files()
    data = page_post_data(officer_client, assessment, "I")
    data[f"{code}-evidence_file"] = SimpleUploadedFile("two.txt", b"b" * 200)
    response = officer_client.post(page_url(assessment, "I"), data)
    assert response.status_code == 200
    errors = field_errors(response, code, "evidence_file")
    assert any("at most 300" in e for e in errors), errors
    assert Evidence.objects.count() == 1 and stored_files() == files_before


def test_overlong_evidence_description_and_url_are_refused_by_the_service(assessment, officer):
    _, question_id = first_question(assessment)
    for new in (
        services.NewEvidence(description="d" * 301, url="https://example.org"),
        services.NewEvidence(description="d", url="https://example.org/" + "u" * 500),
        services.NewEvidence(description="d", url="javascript:alert(1)"),
    ):
        item = services.AnswerInput(question_id, 0, 2, False, "a", new_evidence=new)
        with pytest.raises(services.WorkflowError):
            services.save_answers(assessment=assessment, inputs=[item], by=officer)
    assert not Answer.objects.exists() and not Evidence.objects.exists()


# --- comments --------------------------------------------------------------------


def test_an_overlong_comment_is_refused(client, submitted, auditor, settings):
    settings.COMMENT_MAX_CHARS = 20
    client.force_login(auditor)
    code = applicable_codes(submitted, "I")[0]
    response = client.post(
        reverse("comment_add", args=[submitted.pk, code]), {"text": "c" * 21}, follow=True
    )
    assert "at most 20 characters" in response.content.decode()
    answer = Answer.objects.get(assessment=submitted, question__code=code)
    with pytest.raises(services.WorkflowError, match="at most 20 characters"):
        services.add_comment(assessment=submitted, answer=answer, text="c" * 21, by=auditor)
    assert not Comment.objects.exists()


def test_comments_per_answer_are_limited(client, submitted, auditor, settings):
    settings.COMMENTS_MAX_PER_ANSWER = 2
    client.force_login(auditor)
    code = applicable_codes(submitted, "I")[0]
    url = reverse("comment_add", args=[submitted.pk, code])
    for text in ("one", "two", "three"):
        response = client.post(url, {"text": text}, follow=True)
    assert "at most 2 comments" in response.content.decode()
    assert list(Comment.objects.values_list("text", flat=True)) == ["one", "two"]


# --- assessment details ---------------------------------------------------------------


def test_an_overlong_scope_is_refused(client, assessment, officer, settings):
    settings.SCOPE_MAX_CHARS = 30
    client.force_login(officer)
    roles = list(assessment.roles.values_list("pk", flat=True))
    response = client.post(
        reverse("assessment_edit", args=[assessment.pk]),
        {"title": "T", "scope": "s" * 31, "roles": roles},
    )
    assert response.status_code == 200
    assert "at most 30 characters" in response.content.decode()
    with pytest.raises(services.WorkflowError, match="at most 30 characters"):
        services.update_assessment_details(
            assessment=assessment, title="T", scope="s" * 31, roles=roles, by=officer
        )
    with pytest.raises(services.WorkflowError, match="at most 30 characters"):
        services.create_assessment(
            organization=assessment.organization, title="T", scope="s" * 31, by=officer
        )
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert fresh.scope == assessment.scope and Assessment.objects.count() == 1


def test_an_overlong_title_is_refused_by_the_service(assessment, officer):
    with pytest.raises(services.WorkflowError, match="at most 200 characters"):
        services.update_assessment_details(
            assessment=assessment, title="t" * 201, scope="s", roles=[], by=officer
        )
    assert Assessment.objects.get(pk=assessment.pk).title == assessment.title


def test_the_questionnaire_states_the_limits(officer_client, assessment):
    content = officer_client.get(page_url(assessment, "I")).content.decode()
    assert "explanations up to 10,000 characters" in content
    assert "up to 20 pieces of evidence per answer" in content
