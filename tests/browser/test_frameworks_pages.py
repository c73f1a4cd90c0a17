"""The HAIP transparency report draft (view and edit a narrative) and the coverage page
of every crosswalk target framework, in English and Japanese, on a desktop and on a
375 px phone: axe-core finds no serious or critical violation, nothing scrolls
sideways, and an item's narrative can be edited with the keyboard alone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Profile
from frameworks.models import HaipNarrative
from tests.browser.helpers import Screenshots, describe, serious_violations
from tests.conftest import PASSWORD
from tests.reports.conftest import answer_with_a_mix

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
FRAMEWORKS = ["eu-ai-act", "iso-iec-42001", "nist-ai-rmf"]
EDIT = {"en": "Edit narrative", "ja": "記述を編集"}
SAVE = {"en": "Save narrative", "ja": "記述を保存"}
TEXT = {
    "en": "Red-teaming before every release, tracked to closure.",
    "ja": "リリースごとにレッドチーミングを実施。",
}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def tab_to(page, locator, limit: int = 400) -> None:
    """Press Tab until ``locator`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} is not reachable with the Tab key")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_haip_draft_and_coverage_pages_are_accessible_and_fit_a_phone(
    page, assessment, officer, language
):
    shots = Screenshots(f"8-frameworks-{language}")
    answer_with_a_mix(assessment, officer)
    # The officer's chosen language, remembered on the profile, applies once signed in.
    Profile.objects.update_or_create(user=officer, defaults={"language": language})
    page.goto("/")
    page.get_by_label("Username").fill(officer.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    pages = {
        "haip-draft": reverse("haip_draft", args=[assessment.pk]),
        "haip-edit": reverse("haip_item_edit", args=[assessment.pk, "1.c"]),
        **{
            f"coverage-{c}": reverse("framework_coverage", args=[assessment.pk, c])
            for c in FRAMEWORKS
        },
    }
    found, wide = {}, []
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        for name, url in pages.items():
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", language)
            found[f"{name}-{size_name}"] = serious_violations(page)
            if not fits(page):
                wide.append(f"{name}-{size_name}")
            shots(page, f"{name}-{size_name}")
    assert not any(found.values()), "\n".join(
        f"{name}:\n{describe(v)}" for name, v in found.items() if v
    )
    assert wide == [], f"pages wider than the screen: {wide}"

    # The keyboard alone: from the draft to item 1.c's form, write, save.
    page.set_viewport_size(DESKTOP)
    page.goto(pages["haip-draft"])
    if language == "ja":
        expect(page.get_by_role("heading", name="1. リスクの特定及び評価")).to_be_visible()
    edit = page.get_by_role("link", name=f"{EDIT[language]} 1.c")
    tab_to(page, edit)
    page.keyboard.press("Enter")
    text = page.get_by_role("textbox")
    tab_to(page, text)
    page.keyboard.press("Control+a")
    page.keyboard.type(TEXT[language])
    tab_to(page, page.get_by_role("button", name=SAVE[language]))
    page.keyboard.press("Enter")
    expect(page.locator("#item-1\\.c")).to_contain_text(TEXT[language])
    assert HaipNarrative.objects.get(assessment=assessment, item="1.c").text == TEXT[language]
