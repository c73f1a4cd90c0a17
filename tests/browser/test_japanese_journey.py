"""A Japanese compliance officer: switches the interface to Japanese, answers a
question, sees the Japanese interface, and exports the draft PDF, whose text is
Japanese and prints every character (no .notdef glyph)."""

import io

import pypdf
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Profile
from assessments.models import Answer
from reports.pdf import check_glyphs
from tests.browser.conftest import RENDER_TIMEOUT_MS
from tests.browser.helpers import Screenshots, question, sign_in, status_message

EXPLANATION = "リリースのたびにレッドチーム演習を行い、結果を記録しています。"


def test_japanese_officer_answers_and_exports_a_japanese_draft_pdf(
    page, officer, assessment, tmp_path
):
    shots = Screenshots("6-japanese-officer")
    sign_in(page, officer)

    # The switcher: a plain form in the navbar.
    page.get_by_label("Language").select_option("ja")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    main_nav = page.get_by_role("navigation", name="メイン")
    expect(main_nav.get_by_role("link", name="ダッシュボード")).to_be_visible()
    expect(page.get_by_role("heading", name="評価", exact=True)).to_be_visible()
    shots(page, "dashboard-ja")
    assert Profile.objects.get(user=officer).language == "ja"

    page.goto(reverse("questionnaire", args=[assessment.pk, "I"]))
    row = question(page, "I.1")
    row.get_by_role("radio", name="3 – おおむね実施").check()
    row.get_by_label("説明", exact=True).fill(EXPLANATION)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(status_message(page)).to_have_text("保存しました（変更した回答 1 件）。")
    expect(page.get_by_role("button", name="保存して次へ")).to_be_visible()
    shots(page, "questionnaire-ja")
    answer = Answer.objects.get(assessment=assessment, question__code="I.1")
    assert (answer.level, answer.explanation) == (3, EXPLANATION)

    page.goto(reverse("assessment_detail", args=[assessment.pk]))
    expect(page.get_by_role("heading", name="レビューに提出")).to_be_visible()
    page.get_by_role("link", name="報告書 PDF").click()  # rendered by the task worker
    ready = page.get_by_role("heading", name="下書き PDF の準備ができました")
    expect(ready).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    shots(page, "draft-pdf-ready-ja")
    with page.expect_download() as download:
        page.get_by_role("link", name="下書き PDF をダウンロード").click()
    download.value.save_as(tmp_path / "draft.pdf")
    pdf = (tmp_path / "draft.pdf").read_bytes()

    check_glyphs(pdf)  # raises MissingGlyphs on a .notdef glyph
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    for words in ("自己評価報告書", "概要", "原則ごとの結果", "ギャップと優先度", "下書き"):
        assert words in text, words
    assert EXPLANATION in text.replace(" ", "")
    assert "Executive summary" not in text
