"""Pages show the catalogue's wording in the active language, English where a text has no
translation, and mark translated principle wording with its note (非公式訳)."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.models import AuditOpinion
from principles.models import Principle, Question
from tests.assessments.helpers import page_url
from tests.assessments.test_review_rules import OPINION_POST

pytestmark = pytest.mark.django_db


def get_in(client, language, url):
    with translation.override(language):
        return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def test_the_questionnaire_shows_japanese_wording_marked_unofficial(client, officer, assessment):
    client.force_login(officer)
    response = get_in(client, "ja", page_url(assessment, "VII"))
    content = response.content.decode()
    principle = Principle.objects.get(numeral="VII")
    assert principle.translations["ja"]["text"] in content
    assert principle.text not in content
    assert '<span class="badge text-bg-warning">非公式訳</span>' in content
    question = Question.objects.get(code="VII.1")
    for field in ("text", "guidance", "evidence_expected"):
        assert question.translations["ja"][field] in content


def test_a_text_without_translation_falls_back_to_english(client, officer, assessment):
    Question.objects.filter(code="VII.1").update(translations={"ja": {"text": "来歴の問い"}})
    client.force_login(officer)
    content = get_in(client, "ja", page_url(assessment, "VII")).content.decode()
    assert "来歴の問い" in content
    assert Question.objects.get(code="VII.1").guidance in content


def test_in_english_the_page_shows_the_official_wording_and_no_note(client, officer, assessment):
    client.force_login(officer)
    content = get_in(client, "en", page_url(assessment, "VII")).content.decode()
    assert Principle.objects.get(numeral="VII").text in content
    assert "非公式訳" not in content


def test_the_questionnaire_costs_no_more_queries_in_japanese(
    client, officer, assessment, django_assert_max_num_queries
):
    client.force_login(officer)
    get_in(client, "ja", page_url(assessment, "I"))  # warm up (session, caches)
    with django_assert_max_num_queries(15):
        get_in(client, "ja", page_url(assessment, "I"))


def test_the_methodology_page_names_the_unofficial_translation(client, officer):
    client.force_login(officer)
    content = get_in(client, "ja", reverse("methodology")).content.decode()
    assert "非公式訳" in content
    assert "設計" in content and "利用" in content  # role names in Japanese
    english = get_in(client, "en", reverse("methodology")).content.decode()
    assert "非公式訳" not in english


def test_the_assessment_page_names_the_roles_in_the_active_language(client, officer, assessment):
    client.force_login(officer)
    content = get_in(client, "ja", reverse("assessment_detail", args=[assessment.pk]))
    assert "開発, 導入" in content.content.decode()


def test_the_auditor_chooses_the_report_language_at_approval(client, submitted, auditor):
    client.force_login(auditor)
    page = get_in(client, "ja", reverse("assessment_detail", args=[submitted.pk]))
    assert page.context["approve_form"]["report_language"].value() == "ja"
    client.post(
        reverse("assessment_approve", args=[submitted.pk]),
        OPINION_POST | {"report_language": "ja"},
    )
    assert AuditOpinion.objects.get(assessment=submitted).report_language == "ja"


def test_an_unknown_report_language_is_refused_and_nothing_is_approved(client, submitted, auditor):
    client.force_login(auditor)
    response = client.post(
        reverse("assessment_approve", args=[submitted.pk]),
        OPINION_POST | {"report_language": "fr"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not AuditOpinion.objects.filter(assessment=submitted).exists()


def test_without_a_language_the_report_is_issued_in_the_default_one(client, submitted, auditor):
    client.force_login(auditor)
    client.post(reverse("assessment_approve", args=[submitted.pk]), OPINION_POST)
    assert AuditOpinion.objects.get(assessment=submitted).report_language == "en"
