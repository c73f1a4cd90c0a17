"""Journey 2: an auditor comments (blocking), the officer replies, the auditor returns
the assessment (confirming), the officer sees the banner, fixes the answer, resolves
the comment and resubmits (confirming), the auditor reads the changes since the last
submission, marks principle I reviewed and approves with an opinion (refused without
one, then confirmed although other answers are not reviewed),
watches the report being issued (by the task worker) and downloads the PDF, and the
verify page accepts that PDF and refuses a copy with one byte changed."""

import re

from playwright.sync_api import expect

from assessments.models import Answer
from tests.browser.conftest import RENDER_TIMEOUT_MS
from tests.browser.helpers import (
    Screenshots,
    describe,
    nav_link,
    question,
    serious_violations,
    sign_in,
    status_message,
)

COMMENT = "The explanation does not say who the external testers were."
RETURN_REASON = "Please answer the comment on I.1 before I approve."
HALF_TYPED = "A note on I.2 typed but not posted yet."
REPLY = "They were the AISI red team; the report is attached below."
FIXED = "External testers: the Alan Turing Institute red team, every release since 2025."


def test_auditor_returns_officer_fixes_auditor_approves_and_verifies(
    new_page, submitted, officer, auditor, tmp_path
):
    shots = Screenshots("2-review-approve-verify")
    title = submitted.title
    found = {}

    def check(page, name):
        """axe-core on a page of the review loop, and a screenshot of it."""
        found[name] = serious_violations(page)
        shots(page, name)

    # The auditor comments on I.1 (blocking); text typed on I.2 survives the post.
    reviewer = new_page()
    sign_in(reviewer, auditor)
    reviewer.get_by_role("link", name=title).click()
    expect(reviewer.get_by_role("heading", name="Review", exact=True)).to_be_visible()
    reviewer.get_by_role("link", name="I. Risks across the AI lifecycle").click()
    reviewer.get_by_label("Comment on I.2", exact=True).fill(HALF_TYPED)
    comment_box = reviewer.get_by_label("Comment on I.1", exact=True)
    comment_box.fill(COMMENT)
    comment_box.press("Tab")  # the next control is the "blocking" box, then "Add comment"
    reviewer.keyboard.press("Space")
    reviewer.keyboard.press("Tab")
    reviewer.keyboard.press("Enter")
    expect(status_message(reviewer)).to_have_text("Comment added to I.1.")
    expect(question(reviewer, "I.1")).to_contain_text(COMMENT)
    expect(question(reviewer, "I.1")).to_contain_text("Blocking")
    expect(reviewer.get_by_label("Comment on I.2", exact=True)).to_have_value(HALF_TYPED)
    check(reviewer, "auditor-commented")

    # The officer replies while it is under review.
    author = new_page()
    sign_in(author, officer)
    author.get_by_role("link", name=title).click()
    author.get_by_role("link", name="I. Risks across the AI lifecycle").click()
    question(author, "I.1").get_by_label("Reply on I.1").fill(REPLY)
    author.get_by_role("button", name="Reply on I.1").click()
    expect(status_message(author)).to_have_text("Reply added on I.1.")
    expect(question(author, "I.1")).to_contain_text(REPLY)

    # The auditor returns it, after a confirmation page.
    reviewer.get_by_role("link", name=title).click()  # the breadcrumb
    reviewer.get_by_label("Comment", exact=True).fill(RETURN_REASON)
    shots(reviewer, "auditor-returning")
    reviewer.get_by_role("button", name="Return for changes").click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("for changes?")
    check(reviewer, "confirm-return")
    reviewer.get_by_role("button", name="Yes, return for changes").click()
    expect(status_message(reviewer)).to_contain_text("Returned to the officers as a draft")
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Returned")

    # The officer sees the banner and the badge, fixes the answer, resolves the
    # blocking comment and resubmits (after confirming).
    nav_link(author, "Dashboard").click()
    expect(author.get_by_role("row", name=re.compile(title))).to_contain_text("Returned")
    author.get_by_role("link", name=title).click()
    banner = author.get_by_role("region", name="Returned for changes")
    expect(banner).to_contain_text(RETURN_REASON)
    expect(banner).to_contain_text("1 open comment")
    banner.get_by_role("link", name="1 open comment").click()
    expect(author.get_by_role("cell", name=COMMENT)).to_be_visible()
    check(author, "open-comments")
    author.get_by_role("link", name="I.1", exact=True).click()
    row = question(author, "I.1")
    expect(row.get_by_text(COMMENT)).to_be_visible()
    row.get_by_role("radio", name="2 – Partially implemented").check()
    row.get_by_label("Explanation").fill(FIXED)
    row.get_by_label("Link (URL)").fill("https://example.com/red-team-report")
    row.get_by_label("New evidence: description").fill("Red team report")
    shots(author, "officer-fixing")
    author.get_by_role("button", name="Save", exact=True).click()
    expect(status_message(author)).to_have_text("Saved (1 answer(s) changed).")
    author.get_by_role("button", name="Resolve the comment on I.1").click()
    expect(status_message(author)).to_have_text("Comment on I.1 resolved.")
    check(author, "officer-resolved")
    author.get_by_role("link", name=title).click()
    author.get_by_role("link", name="Submit for review…").click()
    check(author, "confirm-submit")
    author.get_by_role("button", name="Yes, submit for review").click()
    expect(author.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    answer = Answer.objects.get(assessment=submitted, question__code="I.1")
    assert (answer.level, answer.explanation) == (2, FIXED)

    # The auditor reads the changes since the last submission, marks principle I
    # reviewed and approves, confirming that the other answers are not reviewed.
    nav_link(reviewer, "Dashboard").click()
    reviewer.get_by_role("link", name=title).click()
    reviewer.get_by_role("link", name="Changes since the last submission").click()
    change = reviewer.get_by_role("region", name="I.1")
    expect(change).to_contain_text("3 – Largely implemented")
    expect(change).to_contain_text("2 – Partially implemented")
    expect(change).to_contain_text(FIXED)
    expect(change).to_contain_text("Red team report")
    check(reviewer, "changes-since-submission")
    reviewer.get_by_role("link", name="I.1", exact=True).click()
    reviewer.get_by_role("button", name="Mark every answer of principle I reviewed").click()
    expect(status_message(reviewer)).to_contain_text("Marked reviewed: I.1")
    expect(question(reviewer, "I.1")).to_contain_text("Reviewed")
    check(reviewer, "principle-reviewed")
    reviewer.get_by_role("link", name=title).click()
    expect(reviewer.get_by_role("table", name=re.compile("marked reviewed"))).to_be_visible()
    reviewer.get_by_role("button", name="Approve").click()
    expect(status_message(reviewer)).to_contain_text("give your opinion in full")
    reviewer.get_by_label("Scope of your review").fill("All twelve principles.")
    reviewer.get_by_label("Sampling performed").fill("Principle I in full, one in five else.")
    reviewer.get_by_label("Your opinion").fill("The answers match the evidence sampled.")
    reviewer.get_by_label("Your affiliation").fill("Example Assurance LLP")
    reviewer.get_by_role("radio", name="Yes").check()
    shots(reviewer, "auditor-opinion")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Approve")
    expect(
        reviewer.get_by_text(re.compile(r"^\d+ answers are not marked reviewed"))
    ).to_be_visible()
    check(reviewer, "confirm-approve")
    reviewer.get_by_label("I approve although these answers are not marked reviewed").check()
    reviewer.get_by_role("button", name="Yes, approve").click()
    expect(status_message(reviewer)).to_contain_text("Approved.")
    expect(reviewer.get_by_text("The answers match the evidence sampled.")).to_be_visible()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Approved")
    shots(reviewer, "approved-issuing")
    # The page follows the worker's render and shows the issued report when it is done.
    issued = reviewer.get_by_text("its report was issued with fingerprint")
    expect(issued).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(reviewer.get_by_role("heading", name="Issuing the report…")).to_have_count(0)
    shots(reviewer, "approved-issued")
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, "\n\n".join(
        f"{name}:\n{describe(violations)}" for name, violations in failing.items()
    )
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
