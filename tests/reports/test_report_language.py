"""A report issued in Japanese: the language chosen at approval, the catalogue's Japanese
wording in the PDF (real glyphs), the JSON's ``language``, a fingerprint of its own."""

import io
import json
from dataclasses import dataclass

import pypdf
import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.models import AuditOpinion, Membership
from principles.framework import load_framework
from principles.models import Principle
from reports import pdf
from reports.document import build_report
from reports.exports import canonical_json, fingerprint, render_csv
from reports.services import issue_report
from tests.conftest import FIXTURES, approve, make_org, make_user
from tests.reports.conftest import answer_with_a_mix, assert_valid_report

pytestmark = pytest.mark.django_db

ORG = "株式会社さくら知能研究所"


@dataclass
class Issued:
    pdf: bytes
    document: dict
    fingerprint: str
    english: dict  # the same approved assessment's document, had English been chosen
    titles: dict  # numeral -> Japanese title of the principles in the report


@pytest.fixture(scope="module")
def issued(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        if not Principle.objects.exists():
            load_framework(directory=FIXTURES)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        org = make_org(ORG, "sakura")
        officer, auditor = make_user("hanako"), make_user("taro", first_name="太郎")
        Membership.objects.create(user=officer, organization=org, role="officer")
        Membership.objects.create(user=auditor, organization=org, role="auditor")
        assessment = services.create_assessment(
            organization=org, title="対話アシスタントの自己評価", scope="全社", by=officer
        )
        answer_with_a_mix(assessment, officer)
        services.submit_assessment(assessment=assessment, by=officer)
        approve(assessment, auditor, report_language="ja")
        assessment.refresh_from_db()
        report = issue_report(assessment=assessment)
        AuditOpinion.objects.filter(assessment=assessment).update(report_language="en")
        english = build_report(assessment=assessment)
        data = Issued(
            pdf=bytes(report.pdf),
            document=json.loads(report.document_json),
            fingerprint=report.fingerprint,
            english=english,
            titles={p.numeral: p.translations["ja"]["title"] for p in Principle.objects.all()},
        )
        transaction.set_rollback(True)
    return data


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_the_issued_document_is_in_japanese_and_valid(issued):
    doc = issued.document
    assert doc["language"] == "ja"
    assert_valid_report(doc)
    first = doc["principles"][0]
    assert first["title"] == issued.titles["I"]
    assert first["wording_note"] == "非公式訳"
    assert first["questions"][0]["text"].startswith("各高度AIシステムについて")
    assert {r["name"] for r in doc["roles"]} == {"開発", "導入"}
    # The answers stay as their authors wrote them.
    assert first["questions"][0]["explanation"] == "How I.1 is handled."


def test_the_language_is_covered_by_the_fingerprint(issued):
    assert issued.english["language"] == "en"
    assert_valid_report(issued.english)
    assert issued.english["principles"][0]["title"] == "Risks across the AI lifecycle"
    assert issued.english["principles"][0]["wording_note"] == ""
    assert fingerprint(issued.english) != issued.fingerprint
    assert fingerprint(issued.document) == issued.fingerprint


def test_the_pdf_prints_the_japanese_titles_with_real_glyphs(issued):
    pdf.check_glyphs(issued.pdf)  # no .notdef: every character has a font
    text = pdf_text(issued.pdf)
    for numeral, title in issued.titles.items():
        assert f"{numeral}.{title}" in text
    assert "非公式訳" in text
    assert ORG in text
    attached = pypdf.PdfReader(io.BytesIO(issued.pdf)).attachments["report.json"][0]
    assert json.loads(attached)["language"] == "ja"


def test_the_pdf_declares_its_language(issued):
    html = pdf.render_report_html(issued.document)
    assert '<html lang="ja">' in html
    assert '<html lang="en">' in pdf.render_report_html(issued.english)


def test_a_draft_follows_the_readers_language(assessment, officer):
    with translation.override("ja"):
        ja = build_report(assessment=assessment)
    en = build_report(assessment=assessment, language="en")
    assert (ja["language"], en["language"]) == ("ja", "en")
    assert ja["principles"][0]["title"] != en["principles"][0]["title"]
    assert canonical_json(ja) != canonical_json(en)  # two draft versions, rendered apart
    assert build_report(assessment=assessment, language="fr")["language"] == "en"


def test_the_preview_shows_the_report_in_its_language(client, officer, assessment):
    client.force_login(officer)
    with translation.override("ja"):
        response = client.get(
            reverse("report_preview", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="ja"
        )
    content = response.content.decode()
    assert '<article class="report-preview" lang="ja">' in content
    assert Principle.objects.get(numeral="I").translations["ja"]["title"] in content


def test_the_csv_says_its_language_and_holds_the_japanese_wording(issued):
    text = render_csv(issued.document).decode("utf-8-sig")
    assert '"言語 (language)","ja"' in text
    assert issued.titles["I"] in text
    # The column names are in Japanese, each keeping its identifier for programs.
    assert '"報告書 ID (report_id)","原則 (principle)","原則の名称 (principle_title)"' in text
