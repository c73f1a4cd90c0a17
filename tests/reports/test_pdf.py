"""The PDF itself: rendered for real, a few times only (each render takes about a second).

The ``rendered`` fixture builds an approved and a draft assessment once for the module,
keeps what the tests need as plain data, and rolls the database back.
"""

import hashlib
import io
import json
import re
import socket
from dataclasses import dataclass
from unittest.mock import patch

import pypdf
import pytest
from django.db import transaction
from django.test import override_settings

from assessments import services
from assessments.models import Membership
from principles.framework import load_framework
from principles.models import Principle
from reports import pdf
from reports.document import build_report
from reports.exports import canonical_json
from reports.pdf import render_report_html, render_report_pdf
from reports.services import issue_report
from tests.conftest import FIXTURES, approve, make_org, make_user
from tests.reports.conftest import answer_with_a_mix, assert_valid_report

# The mark also makes pytest-django set up the test database when this file runs alone.
pytestmark = pytest.mark.django_db

JAPANESE_ORG = "株式会社オーロラ分析"
JAPANESE_TITLE = "対話アシスタント 2027年度 自己評価"
JAPANESE_EXPLANATION = "レッドチーム演習を四半期ごとに実施し、結果を取締役会に報告しています。"


@dataclass
class Rendered:
    pdf: bytes
    unsigned_pdf_sha256: str
    document_json: str
    fingerprint: str
    report_id: str
    rebuilt: dict  # the document built again from the database after issue
    scores: dict  # numeral -> (title, score) as the scoring module computes them
    draft_pdf: bytes


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        # This module runs after the transactional tests, whose flush may have emptied it.
        if not Principle.objects.exists():
            load_framework(directory=FIXTURES)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        org = make_org("Example AI Labs", "example")
        officer, auditor = make_user("olivia"), make_user("arthur", first_name="Arthur")
        Membership.objects.create(user=officer, organization=org, role="officer")
        Membership.objects.create(user=auditor, organization=org, role="auditor")
        assessment = services.create_assessment(
            organization=org, title="Chat assistant 2026", scope="Our chat assistant.", by=officer
        )
        answer_with_a_mix(assessment, officer)
        services.submit_assessment(assessment=assessment, by=officer)
        approve(assessment, auditor)
        assessment.refresh_from_db()
        report = issue_report(assessment=assessment)  # as the task worker does after the commit
        result = services.result_for(assessment)
        # The draft is a Japanese organization's: its name, title and an explanation
        # must print with real glyphs.
        japanese = make_org(JAPANESE_ORG, "aurora-jp")
        Membership.objects.create(user=officer, organization=japanese, role="officer")
        draft = services.create_assessment(
            organization=japanese, title=JAPANESE_TITLE, scope="対話アシスタント。", by=officer
        )
        answer_with_a_mix(draft, officer)
        draft_doc = build_report(assessment=draft)
        draft_doc["principles"][0]["questions"][0]["explanation"] = JAPANESE_EXPLANATION
        # The draft's evidence includes a web link: rendering must not open any connection.
        with patch.object(socket.socket, "connect", side_effect=AssertionError("network")):
            draft_pdf = render_report_pdf(draft_doc)
        data = Rendered(
            pdf=bytes(report.pdf),
            unsigned_pdf_sha256=report.unsigned_pdf_sha256,
            document_json=report.document_json,
            fingerprint=report.fingerprint,
            report_id=report.report_id,
            rebuilt=build_report(assessment=assessment),
            scores={
                p.principle.numeral: (p.principle.title, p.score)
                for p in result.principles
                if p.applicable
            },
            draft_pdf=draft_pdf,
        )
        transaction.set_rollback(True)
    return data


def pages_text(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_text_holds_every_principle_title_its_score_and_the_fingerprint(rendered):
    text = " ".join(pages_text(rendered.pdf))
    assert rendered.scores
    for numeral, (title, score) in rendered.scores.items():
        assert f"{numeral}. {title}" in text
        assert f"Score {score:.1f}" in text
    assert rendered.fingerprint in text


def test_the_cover_has_no_running_header_or_footer_but_the_id_and_fingerprint(rendered):
    cover = pages_text(rendered.pdf)[0]
    assert "page 1 of" not in cover
    assert cover.startswith("Self-assessment report")
    assert rendered.report_id in cover
    assert rendered.fingerprint in cover


def test_every_page_after_the_cover_has_page_n_of_m_the_report_id_and_the_fingerprint(rendered):
    pages = pages_text(rendered.pdf)
    for number, text in list(enumerate(pages, start=1))[1:]:
        assert f"page {number} of {len(pages)}" in text
        assert rendered.report_id in text
        assert rendered.fingerprint in text
        assert "DRAFT" not in text


def test_embedded_json_equals_the_json_export(rendered):
    reader = pypdf.PdfReader(io.BytesIO(rendered.pdf))
    (embedded,) = reader.attachments["report.json"]
    assert embedded == rendered.document_json.encode("utf-8")
    assert json.loads(embedded)["report_id"] == rendered.report_id
    assert_valid_report(embedded)


def test_pdf_declares_pdf_a_3b_with_title_author_and_language(rendered):
    reader = pypdf.PdfReader(io.BytesIO(rendered.pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    assert reader.metadata.title.startswith(rendered.report_id)
    assert reader.metadata.author == "Example AI Labs"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_building_and_rendering_again_gives_identical_json_and_pdf_bytes(rendered):
    assert canonical_json(rendered.rebuilt) == rendered.document_json.encode("utf-8")
    again = render_report_pdf(rendered.rebuilt)
    # The issued file is that rendering with the signature appended.
    assert hashlib.sha256(again).hexdigest() == rendered.unsigned_pdf_sha256
    assert rendered.pdf.startswith(again)


def test_the_pdf_depends_only_on_its_embedded_json(rendered):
    stored = json.loads(rendered.document_json)
    assert render_report_html(stored) == render_report_html(rendered.rebuilt)


def test_the_contents_give_the_page_each_section_starts_on(rendered):
    pages = pages_text(rendered.pdf)
    page = pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[1]
    contents = " ".join(page.extract_text(extraction_mode="layout").split())
    assert "Contents" in contents
    for heading, follows in (
        ("Methodology", "Scale"),
        ("Gaps and priorities", "Every applicable"),
        ("Appendix: other frameworks", "Which requirements"),
    ):
        (number,) = [n for n, t in enumerate(pages, 1) if f"{heading} {follows}" in t]
        assert f" {number} {heading}" in contents


def test_japanese_text_prints_with_real_glyphs(rendered):
    # Glyph 0 (.notdef) prints as an empty box while text extraction still works,
    # so the check is on the fonts, not on the extracted text.
    pdf.check_glyphs(rendered.draft_pdf)
    text = " ".join(pages_text(rendered.draft_pdf))
    for japanese in (JAPANESE_ORG, JAPANESE_TITLE, JAPANESE_EXPLANATION):
        assert japanese in text
    fonts = " ".join(
        str(font.get_object()["/BaseFont"])
        for page in pypdf.PdfReader(io.BytesIO(rendered.draft_pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    )
    assert "Noto-Sans-CJK-JP" in fonts


def test_issuing_refuses_a_pdf_that_would_print_empty_boxes(rendered):
    doc = json.loads(rendered.document_json)
    doc["assessment"]["title"] = "Private use \ue000 character"
    with pytest.raises(pdf.MissingGlyphs, match="U\\+E000"):
        render_report_pdf(doc)


def test_a_draft_is_marked_draft_on_every_page_and_claims_nothing(rendered):
    pages = pages_text(rendered.draft_pdf)
    assert all("DRAFT" in text for text in pages)
    assert "supports no conformance claim" in pages[0]


def test_the_renderer_fetches_nothing_but_data_urls():
    fetcher = pdf._local_only_fetcher()
    for url in ("http://example.org/x.css", "https://example.org/font.woff", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)
    assert fetcher("data:text/plain,ok").read() == b"ok"


def test_the_appendix_of_other_frameworks_prints_one_table_per_framework(rendered):
    text = " ".join(pages_text(rendered.pdf))
    appendix = text.split("Appendix: other frameworks")[-1]  # after the contents entry
    for name in ("NIST AI 100-1", "ISO/IEC 42001:2023", "Regulation (EU) 2024/1689"):
        assert name in appendix
    assert "GOVERN 1.6" in appendix and "V.6:" in appendix
