"""Journey 1: an officer creates an assessment, answers every applicable question of
the twelve principles page by page, with one "Not applicable" and one uploaded
file, and submits it for review."""

import re

from playwright.sync_api import expect

from assessments import services
from assessments.models import Answer, Assessment, Evidence
from principles.models import NUMERALS
from tests.browser.helpers import Screenshots, questions, sign_in, status_message

LEVELS = ["1 – Planned", "2 – Partially implemented", "3 – Largely implemented"]


def test_officer_creates_answers_and_submits_an_assessment(page, officer, tmp_path):
    shots = Screenshots("1-officer-submits")
    report = tmp_path / "red-team-report.txt"
    report.write_text("Red-team report, March 2026: 14 findings, all closed.\n")

    sign_in(page, officer)
    shots(page, "dashboard")
    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Organization").select_option(label="Example AI Labs")
    page.get_by_label("Title").fill("Support chatbot 2026")
    page.get_by_label("Scope").fill("The customer support chatbot and its support team.")
    page.get_by_label("Period from").fill("2026-01-01")
    page.get_by_label("Period to").fill("2026-12-31")
    page.get_by_role("checkbox", name=re.compile(r"^Deployment:")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Use:")).check()
    shots(page, "new-assessment")
    page.get_by_role("button", name="Create assessment").click()

    expect(status_message(page)).to_contain_text("Assessment created")
    expect(page.get_by_text("Lifecycle roles: Deployment, Use")).to_be_visible()
    shots(page, "overview-new")
    page.get_by_role("link", name="I. Risks across the AI lifecycle").click()

    answered = 0
    for index, numeral in enumerate(NUMERALS):
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^{numeral}\. "))
        rows = questions(page)
        for position, row in enumerate(rows):
            code = row.get_by_role("heading", level=2).inner_text().split()[0]
            if code == "I.1":
                # Level 4 needs evidence: upload a file with it.
                row.get_by_role("radio", name="4 – Fully implemented").check()
                row.get_by_label("Explanation").fill("Every release is red-teamed; see the report.")
                row.get_by_label("New evidence: description").fill("Red-team report")
                row.get_by_label("New evidence: file (instead of a link)").set_input_files(report)
            elif code == "III.1":
                row.get_by_role("radio", name="Not applicable").check()
                row.get_by_label("Explanation").fill("We publish no model: we only deploy one.")
            else:
                row.get_by_role("radio", name=LEVELS[position % len(LEVELS)]).check()
                row.get_by_label("Explanation").fill(f"What is in place for {code}.")
        answered += len(rows)
        if numeral == "I":
            shots(page, "questionnaire-filled")
        page.get_by_role("button", name="Save and next").click()
        if index + 1 < len(NUMERALS):
            page.wait_for_url(f"**/principles/{NUMERALS[index + 1]}/")
        else:
            expect(page.get_by_role("heading", level=1)).to_contain_text("Support chatbot 2026")
        expect(status_message(page)).to_have_text(f"Saved ({len(rows)} answer(s) changed).")

    progress = f"{answered} of {answered} applicable questions answered"
    expect(page.get_by_text(progress)).to_be_visible()
    expect(page.get_by_text("Every applicable question is answered")).to_be_visible()
    shots(page, "overview-complete")
    page.get_by_role("link", name="Submit for review…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("for review?")
    shots(page, "confirm-submit")
    page.get_by_role("button", name="Yes, submit for review").click()

    expect(status_message(page)).to_contain_text("Submitted for review")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    expect(page.get_by_text("waiting for an auditor's review")).to_be_visible()
    shots(page, "overview-submitted")

    assessment = Assessment.objects.get(title="Support chatbot 2026")
    assert assessment.status == "submitted"
    assert answered == services.result_for(assessment).applicable > 0
    assert sorted(role.code for role in assessment.roles.all()) == ["deployment", "use"]
    assert assessment.answers.count() == answered
    assert list(
        Answer.objects.filter(assessment=assessment, not_applicable=True).values_list(
            "question__code", "explanation"
        )
    ) == [("III.1", "We publish no model: we only deploy one.")]
    evidence = Evidence.objects.get(answer__assessment=assessment)
    assert (evidence.answer.question.code, evidence.description) == ("I.1", "Red-team report")
    assert evidence.file_name == "red-team-report.txt"
    assert evidence.file.read() == report.read_bytes()
