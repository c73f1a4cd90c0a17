"""What the browser journeys share: signing in, screenshots, axe-core, answering."""

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from tests.conftest import PASSWORD

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
QUESTION_NAME = re.compile(r"^[IVX]+\.\d+ ")  # a question's region is named "I.1 Do you ..."


def sign_in(page, user) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Signed in: the navbar has its "Sign out" button (folded behind "Menu" on a
    # narrow screen, so present rather than visible).
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_have_count(1)


class Screenshots:
    """Numbered full-page screenshots: test-artifacts/screenshots/<journey>/NN-name.png."""

    def __init__(self, journey: str):
        self.folder = SCREENSHOTS / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page, name: str) -> None:
        self.count += 1
        page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)


def nav_link(page, name: str):
    """A link of the main navigation bar (Dashboard, Verify a report, ...)."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def question(page, code: str):
    """The region of one question on a questionnaire page, found by its code."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(code)} "))


def questions(page) -> list:
    return page.get_by_role("region", name=QUESTION_NAME).all()


def status_message(page):
    """The messages Django shows at the top of the page (role=status)."""
    return page.get_by_role("main").get_by_role("status")


def serious_violations(page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the current page."""
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]


def describe(violations: list[dict]) -> str:
    """A readable list of violations for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:300]}")
            summary = node.get("failureSummary") or ""
            lines.extend("      " + line for line in summary.splitlines())
    return "\n".join(lines)
