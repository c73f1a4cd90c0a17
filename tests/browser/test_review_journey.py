"""Journey 2: an auditor comments and returns the assessment, the officer fixes the
answer and resubmits, the auditor approves with an opinion (refused without one),
watches the report being issued (by the task worker) and downloads the PDF, and the
verify page accepts that PDF and refuses a copy with one byte changed."""

from playwright.sync_api import expect

from assessments.models import Answer
from tests.browser.conftest import RENDER_TIMEOUT_MS
from tests.browser.helpers import (
    Screenshots,
    nav_link,
    question,
    sign_in,
    status_message,
)

COMMENT = "The explanation does not say who the external testers were."
RETURN_REASON = "Please answer the comment on I.1 before I approve."
FIXED = "External testers: the Alan Turing Institute red team, every release since 2025."


def test_auditor_returns_officer_fixes_auditor_approves_and_verifies(
    new_page, submitted, officer, auditor, tmp_path
):
    shots = Screenshots("2-review-approve-verify")
    title = submitted.title

    # The auditor comments on I.1 and returns the assessment.
    reviewer = new_page()
    sign_in(reviewer, auditor)
    reviewer.get_by_role("link", name=title).click()
    expect(reviewer.get_by_role("heading", name="Review", exact=True)).to_be_visible()
    reviewer.get_by_role("link", name="I. Risks across the AI lifecycle").click()
    comment_box = reviewer.get_by_label("Comment on I.1", exact=True)
    comment_box.fill(COMMENT)
    comment_box.press("Tab")  # the next control is this question's "Add comment"
    reviewer.keyboard.press("Enter")
    expect(status_message(reviewer)).to_have_text("Comment added to I.1.")
    expect(question(reviewer, "I.1")).to_contain_text(COMMENT)
    shots(reviewer, "auditor-commented")
    reviewer.get_by_role("link", name=title).click()  # the breadcrumb
    reviewer.get_by_label("Comment", exact=True).fill(RETURN_REASON)
    shots(reviewer, "auditor-returning")
    reviewer.get_by_role("button", name="Return for changes").click()
    expect(status_message(reviewer)).to_contain_text("Returned to the officers as a draft")
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Draft")

    # The officer reads the comments, fixes the answer and resubmits.
    author = new_page()
    sign_in(author, officer)
    author.get_by_role("link", name=title).click()
    expect(author.get_by_text(RETURN_REASON)).to_be_visible()
    author.get_by_role("link", name="I. Risks across the AI lifecycle").click()
    row = question(author, "I.1")
    expect(row.get_by_text(COMMENT)).to_be_visible()
    row.get_by_role("radio", name="2 – Partially implemented").check()
    row.get_by_label("Explanation").fill(FIXED)
    shots(author, "officer-fixing")
    author.get_by_role("button", name="Save", exact=True).click()
    expect(status_message(author)).to_have_text("Saved (1 answer(s) changed).")
    author.get_by_role("link", name=title).click()
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    answer = Answer.objects.get(assessment=submitted, question__code="I.1")
    assert (answer.level, answer.explanation) == (2, FIXED)

    # The auditor approves, with an opinion, and downloads the issued PDF.
    nav_link(reviewer, "Dashboard").click()
    reviewer.get_by_role("link", name=title).click()
    reviewer.get_by_role("button", name="Approve").click()
    expect(status_message(reviewer)).to_contain_text("give your opinion in full")
    reviewer.get_by_label("Scope of your review").fill("All twelve principles.")
    reviewer.get_by_label("Sampling performed").fill("Principle I in full, one in five else.")
    reviewer.get_by_label("Your opinion").fill("The answers match the evidence sampled.")
    reviewer.get_by_label("Your affiliation").fill("Example Assurance LLP")
    reviewer.get_by_role("radio", name="Yes").check()
    shots(reviewer, "auditor-opinion")
    reviewer.get_by_role("button", name="Approve").click()
    expect(status_message(reviewer)).to_contain_text("Approved.")
    expect(reviewer.get_by_text("The answers match the evidence sampled.")).to_be_visible()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Approved")
    shots(reviewer, "approved-issuing")
    # The page follows the worker's render and shows the issued report when it is done.
    issued = reviewer.get_by_text("its report was issued with fingerprint")
    expect(issued).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(reviewer.get_by_role("heading", name="Issuing the report…")).to_have_count(0)
    shots(reviewer, "approved-issued")
    with reviewer.expect_download() as download:
        reviewer.get_by_role("link", name="Report PDF").click()
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.name == f"{submitted.report_id}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")

    # The verify page accepts that file...
    nav_link(reviewer, "Verify a report").click()
    reviewer.get_by_label("Report PDF").set_input_files(pdf)
    reviewer.get_by_role("button", name="Verify").click()
    verdict = reviewer.get_by_role("status").filter(has=reviewer.get_by_role("heading"))
    expect(verdict.get_by_role("heading")).to_have_text("Verified")
    expect(verdict).to_contain_text(submitted.report_id)
    shots(reviewer, "verified")

    # ...and refuses a copy with one byte changed.
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    reviewer.get_by_label("Report PDF").set_input_files(tampered)
    reviewer.get_by_role("button", name="Verify").click()
    expect(verdict.get_by_role("heading")).to_have_text("Not verified")
    expect(verdict).to_contain_text("does not match its bytes")
    shots(reviewer, "not-verified")
