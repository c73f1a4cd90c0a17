"""The HAIP transparency report draft: every section and item, uncovered items marked,
officers' narrative (history, version check, limit), Markdown and DOCX exports,
access rules."""

import io

import docx
import pytest
from django.test import Client
from django.urls import reverse

from assessments import services
from frameworks.draft import build_draft
from frameworks.models import HaipNarrative
from principles.models import HaipItem, HaipSection
from tests.reports.conftest import answer_with_a_mix

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(assessment, officer):
    answer_with_a_mix(assessment, officer)
    return assessment


def urls(assessment, item="1.c"):
    return {
        "page": reverse("haip_draft", args=[assessment.pk]),
        "md": reverse("haip_draft_markdown", args=[assessment.pk]),
        "docx": reverse("haip_draft_docx", args=[assessment.pk]),
        "edit": reverse("haip_item_edit", args=[assessment.pk, item]),
        "coverage": reverse("framework_coverage", args=[assessment.pk, "nist-ai-rmf"]),
    }


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


def test_the_draft_holds_every_section_and_item_with_the_feeding_answers(client, answered, officer):
    client.force_login(officer)
    response = client.get(urls(answered)["page"])
    assert response.status_code == 200
    html = response.content.decode()
    for section in HaipSection.objects.all():
        assert f'id="section-{section.number}"' in html
    for item in HaipItem.objects.select_related("section"):
        assert f'id="item-{item.identifier}"' in html
    assert "Example AI Labs: G7 Hiroshima AI Process (HAIP) Transparency Report" in html
    assert "2026-01-01 – 2026-12-31" in html
    assert "How I.1 is handled." in html  # an explanation feeding 1.c
    assert "Red-team report" in html  # its evidence


def test_an_item_no_applicable_question_feeds_is_marked_not_covered_everywhere(
    client, answered, officer
):
    HaipItem.objects.get_by_natural_key(1, "g").questions.clear()
    client.force_login(officer)
    html = client.get(urls(answered)["page"]).content.decode()
    item = html.split('id="item-1.g"')[1].split("</article>")[0]
    assert "Not covered by this assessment" in item
    other = html.split('id="item-1.c"')[1].split("</article>")[0]
    assert "Not covered by this assessment" not in other
    markdown = client.get(urls(answered)["md"]).content.decode()
    assert "Not covered by this assessment" in markdown.split("### 1.g")[1].split("###")[0]
    text = docx_text(client.get(urls(answered)["docx"]).content)
    assert "Not covered by this assessment" in text.split("1.g ")[1].split("1.h ")[0]


def test_an_officers_edited_narrative_is_what_the_exports_hold(client, answered, officer):
    client.force_login(officer)
    response = client.post(
        urls(answered)["edit"], {"text": "We red-team every release.\n\nTwice.", "version": 0}
    )
    assert response.status_code == 302
    narrative = HaipNarrative.objects.get(assessment=answered, item="1.c")
    assert narrative.version == 1 and narrative.history.count() == 1
    page = client.get(urls(answered)["page"]).content.decode()
    assert "We red-team every release." in page and "Edited narrative" in page

    response = client.get(urls(answered)["docx"])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = docx_text(response.content)
    assert "We red-team every release." in text and "Twice." in text
    assert "How I.1 is handled." not in text.split("1.c ")[1].split("1.d ")[0]
    markdown = client.get(urls(answered)["md"]).content.decode()
    assert "We red\\-team every release." in markdown
    # Unedited items keep the generated text.
    generated = [
        i["generated"]
        for s in build_draft(assessment=answered)["sections"]
        for i in s["items"]
        if i["identifier"] == "2.c"
    ][0]
    assert generated.split("\n\n")[0] in text


def test_a_stale_version_is_refused_and_nothing_changes(client, answered, officer):
    client.force_login(officer)
    client.post(urls(answered)["edit"], {"text": "First.", "version": 0})
    response = client.post(urls(answered)["edit"], {"text": "Second.", "version": 0})
    assert response.status_code == 200
    assert "Someone else saved this item" in response.content.decode()
    assert HaipNarrative.objects.get(assessment=answered, item="1.c").text == "First."


def test_the_narrative_length_is_limited_by_a_setting(client, answered, officer, settings):
    settings.HAIP_NARRATIVE_MAX_CHARS = 20
    client.force_login(officer)
    response = client.post(urls(answered)["edit"], {"text": "x" * 21, "version": 0})
    assert response.status_code == 200
    assert not HaipNarrative.objects.exists()


def test_officers_may_edit_the_narrative_of_a_submitted_assessment(client, answered, officer):
    services.submit_assessment(assessment=answered, by=officer)
    client.force_login(officer)
    response = client.post(urls(answered)["edit"], {"text": "Written later.", "version": 0})
    assert response.status_code == 302
    assert HaipNarrative.objects.get(item="1.c").text == "Written later."


def test_markdown_escapes_markup_in_answers(client, assessment, officer):
    result = services.result_for(assessment)
    question = result.principles[0].questions[0].question
    services.save_answers(
        assessment=assessment,
        inputs=[
            services.AnswerInput(
                question_id=question.id,
                seen_version=0,
                level=3,
                not_applicable=False,
                explanation="<script>x</script> [link](javascript:alert(1))",
            )
        ],
        by=officer,
    )
    client.force_login(officer)
    markdown = client.get(urls(assessment)["md"]).content.decode()
    assert "<script>" not in markdown and "](javascript" not in markdown


def test_outsiders_get_404_everywhere(client, answered, outsider):
    client.force_login(outsider)
    for name, url in urls(answered).items():
        assert client.get(url).status_code == 404, name
    assert client.post(urls(answered)["edit"], {"text": "x", "version": 0}).status_code == 404


def test_auditors_read_the_draft_but_may_not_edit_it(client, answered, auditor):
    client.force_login(auditor)
    assert client.get(urls(answered)["page"]).status_code == 200
    assert "Edit narrative" not in client.get(urls(answered)["page"]).content.decode()
    assert client.get(urls(answered)["edit"]).status_code == 403
    assert client.post(urls(answered)["edit"], {"text": "x", "version": 0}).status_code == 403
    assert not HaipNarrative.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, answered):
    assert client.get(urls(answered)["docx"]).status_code == 302


def test_editing_needs_the_csrf_token(answered, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(urls(answered)["edit"], {"text": "x", "version": 0}).status_code == 403
    assert not HaipNarrative.objects.exists()


def test_an_unknown_item_is_404(client, answered, officer):
    client.force_login(officer)
    assert client.get(urls(answered, item="9.z")["edit"]).status_code == 404


def test_the_draft_page_costs_a_fixed_number_of_queries(
    client, answered, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        client.get(urls(answered)["page"])
