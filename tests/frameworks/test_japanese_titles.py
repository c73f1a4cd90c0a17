"""A Japanese reader sees the HAIP sections and items and the crosswalks' requirements
with their Japanese titles: on the draft page and its exports, on the coverage pages,
and in a Japanese report (per principle and in the appendix)."""

import pytest
from django.urls import reverse
from django.utils import translation

from reports.document import build_report
from tests.reports.conftest import answer_with_a_mix

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(assessment, officer):
    answer_with_a_mix(assessment, officer)
    return assessment


def get(client, url, language):
    with translation.override(language):
        return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def test_the_haip_draft_shows_japanese_titles_to_a_japanese_reader(client, answered, officer):
    client.force_login(officer)
    url = reverse("haip_draft", args=[answered.pk])
    html = get(client, url, "ja").content.decode()
    assert "リスクの特定及び評価" in html
    assert "開発段階を出る前のレッドチーミング等の試験" in html  # item 1.c
    assert "Testing, such as red-teaming" not in html
    english = get(client, url, "en").content.decode()
    assert "Testing, such as red-teaming, before a system leaves development" in english
    assert "リスクの特定及び評価" not in english
    markdown = get(client, reverse("haip_draft_markdown", args=[answered.pk]), "ja")
    assert "リスクの管理及び情報セキュリティ" in markdown.content.decode()


def test_the_coverage_page_shows_japanese_requirement_titles(client, answered, auditor):
    client.force_login(auditor)
    url = reverse("framework_coverage", args=[answered.pk, "eu-ai-act"])
    html = get(client, url, "ja").content.decode()
    assert "AIシステムに関わる職員等のAIリテラシー" in html
    assert "AI literacy of staff" not in html
    assert "Art. 4" in html  # identifiers are facts and stay as published
    assert "人工知能に関する調和された規則を定める規則" in html  # the framework's name
    assert "条文の抜粋" in html  # and its scope note


def test_a_japanese_report_holds_japanese_section_and_requirement_titles(answered):
    document = build_report(assessment=answered, language="ja")
    first = document["principles"][0]
    assert {"number": 1, "title": "リスクの特定及び評価"} in first["oecd_sections"]
    eu = next(f for f in document["frameworks"] if f["code"] == "eu-ai-act")
    titles = {r["id"]: r["title"] for r in eu["requirements"]}
    assert titles["Art. 4"] == "AIシステムに関わる職員等のAIリテラシー"
    english = build_report(assessment=answered, language="en")
    eu = next(f for f in english["frameworks"] if f["code"] == "eu-ai-act")
    assert {r["id"]: r["title"] for r in eu["requirements"]}["Art. 4"].startswith("AI literacy")
