"""The API tokens page and the API docs page in a real browser: reached from the user
menu, a token created and shown once, revoked; no serious accessibility violation;
nothing wider than a 375 px phone screen."""

from django.urls import reverse
from playwright.sync_api import expect

from api.models import ApiToken
from tests.browser.helpers import Screenshots, describe, serious_violations, sign_in


def _fits(page) -> bool:
    # The page's content; the navigation bar's collapse at phone width is i11-editing's.
    return page.evaluate("document.querySelector('main').scrollWidth <= window.innerWidth")


def test_tokens_and_docs_pages(page, officer, organization):
    shots = Screenshots("6-api-tokens")
    reverse("api_tokens")  # loads the URL configuration (DRF and all) before the first request
    sign_in(page, officer)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("CI pipeline")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("haip_")
    shots(page, "created")
    assert serious_violations(page) == [], describe(serious_violations(page))

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert secret not in page.content()
    assert _fits(page)
    shots(page, "phone")

    page.get_by_role("button", name="Revoke CI pipeline").click()
    expect(page.get_by_text("revoked", exact=True)).to_be_visible()
    assert ApiToken.objects.get().is_revoked

    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name="Operations")).to_be_visible()
    assert _fits(page)
    shots(page, "docs-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert serious_violations(page) == [], describe(serious_violations(page))
