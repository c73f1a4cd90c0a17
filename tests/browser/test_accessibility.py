"""axe-core finds no serious or critical violation on the main pages, and the
questionnaire can be answered with the keyboard alone."""

from playwright.sync_api import expect

from assessments import services
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


def _answer_in_every_band(assessment, officer):
    """Levels 4, 3, 2 and 0 by principle: the pages show all four conformance bands."""
    result = services.result_for(assessment)
    inputs = [
        services.AnswerInput(
            question_id=q.question.id,
            seen_version=0,
            level=[4, 3, 2, 0][index // 3],
            not_applicable=False,
            explanation=f"Answer to {q.question.code}.",
        )
        for index, p in enumerate(result.principles)
        for q in p.questions
    ]
    services.save_answers(assessment=assessment, inputs=inputs, by=officer)


def test_main_pages_have_no_serious_accessibility_violations(page, assessment, officer):
    shots = Screenshots("5-accessibility")
    _answer_in_every_band(assessment, officer)
    found = {}

    def check(name):
        found[name] = serious_violations(page)
        shots(page, name)

    page.goto("/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    check("login")

    sign_in(page, officer)
    check("dashboard")

    page.get_by_role("link", name="New assessment").click()
    page.get_by_role("button", name="Create assessment").click()  # a form with errors
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    check("new-assessment-with-errors")
    page.get_by_role("link", name="Cancel").click()

    page.get_by_role("link", name=assessment.title).click()
    expect(page.get_by_text("Partially conformant").first).to_be_visible()
    check("overview")

    page.get_by_role("link", name="VII. Content authentication and provenance").click()
    row = question(page, "VII.1")
    row.get_by_role("radio", name="Not applicable").check()
    row.get_by_label("Explanation").fill("")  # "Not applicable" needs a justification
    page.get_by_role("button", name="Save", exact=True).click()  # a page with an error
    summary = page.get_by_role("alert").filter(has_text="Nothing was saved")
    expect(summary).to_be_focused()
    check("questionnaire-with-error")

    page.get_by_role("link", name=assessment.title).click()  # the breadcrumb
    page.get_by_role("link", name="History").click()
    check("history")
    page.go_back()
    page.get_by_role("link", name="Report preview").click()
    check("report-preview")
    page.go_back()
    page.get_by_role("link", name="Report PDF").click()  # rendered by the task worker
    expect(page.get_by_role("heading", name="Rendering the draft PDF…")).to_be_visible()
    check("draft-pdf-progress")
    ready = page.get_by_role("heading", name="The draft PDF is ready")
    expect(ready).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    check("draft-pdf-ready")

    nav_link(page, "Methodology").click()
    check("methodology")

    nav_link(page, "Verify a report").click()
    page.get_by_label("or its fingerprint").fill("0" * 64)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Unknown", exact=True)).to_be_visible()
    check("verify")

    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, "\n\n".join(
        f"{name}:\n{describe(violations)}" for name, violations in failing.items()
    )


def test_questionnaire_can_be_answered_with_the_keyboard_alone(page, assessment, officer):
    shots = Screenshots("6-keyboard")
    sign_in(page, officer)
    page.get_by_role("link", name=assessment.title).click()
    page.get_by_role("link", name="I. Risks across the AI lifecycle").click()
    row = question(page, "I.1")
    first_radio = row.get_by_role("radio", name="0 – Not implemented")
    save = page.get_by_role("button", name="Save", exact=True)

    tab_until(page, first_radio)
    page.keyboard.press("Space")
    expect(first_radio).to_be_checked()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(row.get_by_role("radio", name="2 – Partially implemented")).to_be_checked()
    page.keyboard.press("Tab")
    expect(row.get_by_label("Explanation")).to_be_focused()
    page.keyboard.type("Typed with the keyboard alone.")
    tab_until(page, save)
    shots(page, "before-save")
    page.keyboard.press("Enter")

    expect(status_message(page)).to_have_text("Saved (1 answer(s) changed).")
    row = question(page, "I.1")
    expect(row.get_by_role("radio", name="2 – Partially implemented")).to_be_checked()
    expect(row.get_by_label("Explanation")).to_have_value("Typed with the keyboard alone.")
    shots(page, "saved")
    answer = Answer.objects.get(assessment=assessment, question__code="I.1")
    assert (answer.level, answer.explanation) == (2, "Typed with the keyboard alone.")


def tab_until(page, target, limit: int = 150) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never received the focus after {limit} presses of Tab")
