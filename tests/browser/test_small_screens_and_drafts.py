"""Phones (375 × 812: no sideways scrolling, a collapsing menu, the first question
first) and drafts kept in the browser when a session ends before Save."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Answer
from tests.browser.conftest import RENDER_TIMEOUT_MS
from tests.browser.helpers import (
    Screenshots,
    describe,
    question,
    serious_violations,
    sign_in,
)
from tests.conftest import PASSWORD, answer_everything

PHONE = {"width": 375, "height": 812}
HAS_DRAFT = "() => Object.keys(localStorage).some(k => k.startsWith('hiroshima:draft:'))"


def warm_up(page) -> None:
    """The session's first request can take long on a busy machine (static files are
    looked up, the worker starts): wait for it longer than for a click."""
    page.goto("/", timeout=RENDER_TIMEOUT_MS)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_pages_fit_a_phone_screen(page, assessment, officer):
    shots = Screenshots("7-phone")
    answer_everything(assessment, officer)
    page.set_viewport_size(PHONE)
    warm_up(page)
    found = {}
    page.get_by_label("Username").fill(officer.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The menu is folded behind its button, and opens.
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()
    menu = page.locator("#main-menu")
    page.get_by_role("button", name="Menu").click()
    expect(sign_out).to_be_visible()
    # Bootstrap ignores a toggle while the menu is still sliding open.
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_role("button", name="Menu").click()
    expect(sign_out).to_be_hidden()

    urls = {
        "dashboard": "/",
        "assessment": reverse("assessment_detail", args=[assessment.pk]),
        "questionnaire": reverse("questionnaire", args=[assessment.pk, "I"]),
        "report-preview": reverse("report_preview", args=[assessment.pk]),
    }
    widths = {}
    for name, url in urls.items():
        page.goto(url)
        widths[name] = page_width(page)
        found[name] = serious_violations(page)
        shots(page, name)
    assert all(width <= PHONE["width"] for width in widths.values()), widths

    # On the questionnaire the principle list is folded: the first question comes first.
    page.goto(urls["questionnaire"])
    principles = page.locator("details.principles-menu")
    expect(principles).not_to_have_attribute("open", re.compile(".*"))
    first = question(page, "I.1").bounding_box()
    assert first["y"] < PHONE["height"], first
    page.get_by_text("Principles", exact=False).first.click()
    expect(page.get_by_role("link", name=re.compile(r"^II\. "))).to_be_visible()
    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n\n".join(f"{name}:\n{describe(v)}" for name, v in failing.items())


def test_typed_answers_survive_an_ended_session(page, assessment, officer):
    shots = Screenshots("8-drafts")
    url = reverse("questionnaire", args=[assessment.pk, "I"])
    warm_up(page)
    sign_in(page, officer)
    page.goto(url)
    row = question(page, "I.1")
    row.get_by_role("radio", name="3 – Largely implemented").check()
    row.get_by_label("Explanation").fill("Typed before the session ended.")
    page.wait_for_function(HAS_DRAFT)

    # The session ends (cookies gone), then Save: the server cannot take the answers.
    page.context.clear_cookies()
    page.get_by_role("button", name="Save", exact=True).click()
    # Refused (no session, no CSRF cookie): wait for that answer before going on, or
    # the next page load races the refused post's.
    expect(page.get_by_role("heading", name="Forbidden (403)")).to_be_visible()
    assert not Answer.objects.exists()

    # Signing in again and opening the page offers the typed answers back.
    page.goto(url)
    page.get_by_label("Username").fill(officer.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    notice = page.get_by_role("status").filter(has_text="Restored unsaved answers")
    expect(notice).to_be_visible()
    row = question(page, "I.1")
    expect(row.get_by_label("Explanation")).to_have_value("Typed before the session ended.")
    expect(row.get_by_role("radio", name="3 – Largely implemented")).to_be_checked()
    shots(page, "restored")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved (1 answer(s) changed).")).to_be_visible()
    answer = Answer.objects.get(assessment=assessment, question__code="I.1")
    assert (answer.level, answer.explanation) == (3, "Typed before the session ended.")
    # Saved: nothing is offered again, and the browser forgot the draft.
    page.reload()
    expect(notice).to_be_hidden()
    assert (
        page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('hiroshima:draft:')).length"
        )
        == 0
    )


def test_restored_answers_can_be_discarded(page, assessment, officer):
    url = reverse("questionnaire", args=[assessment.pk, "I"])
    warm_up(page)
    sign_in(page, officer)
    page.goto(url)
    question(page, "I.2").get_by_label("Explanation").fill("A draft I do not want.")
    page.wait_for_function(HAS_DRAFT)
    page.once("dialog", lambda dialog: dialog.accept())  # leaving with unsaved changes asks
    page.goto(url)
    expect(question(page, "I.2").get_by_label("Explanation")).to_have_value(
        "A draft I do not want."
    )
    page.get_by_role("button", name="Discard the restored answers").click()
    expect(question(page, "I.2").get_by_label("Explanation")).to_have_value("")
    page.reload()
    expect(question(page, "I.2").get_by_label("Explanation")).to_have_value("")
