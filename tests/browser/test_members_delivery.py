"""The members page tells the truth about invitation e-mails and lets the owner set an
auditor's firm; a password reset over its limit says so. Real Chromium, a real SMTP
server on 127.0.0.1 (tests/smtp.py), axe-core on each page, also at 375 px."""

import re

from playwright.sync_api import expect

from assessments.models import Membership
from members.models import Invitation
from tests.browser.conftest import RENDER_TIMEOUT_MS
from tests.browser.helpers import Screenshots, describe, serious_violations, sign_in
from tests.conftest import make_user


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_undelivered_invitation_send_again_and_affiliation(
    new_page, live_server, smtp_server, settings, organization, auditor
):
    settings.SITE_URL = live_server.url
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    shots = Screenshots("11-members-delivery")
    found = {}
    owner = make_user("owen", email="owen@example.org")
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    smtp_server.refused.add("typo@exmaple.org")

    page = new_page()
    page.goto("/", timeout=RENDER_TIMEOUT_MS)  # the live server's first page may be slow
    sign_in(page, owner)
    page.goto(f"/organizations/{organization.slug}/members/")
    page.get_by_label("E-mail address").fill("typo@exmaple.org")
    page.get_by_role("combobox", name="Role*", exact=True).select_option(label="Auditor")
    page.get_by_role("button", name="Send invitation").click()
    alert = page.get_by_role("main").get_by_role("status")
    expect(alert).to_contain_text("the e-mail was not delivered: 550 5.1.1 Mailbox unavailable")
    row = page.get_by_role("row", name=re.compile(r"typo@exmaple\.org"))
    expect(row).to_contain_text("Not delivered: 550 5.1.1 Mailbox unavailable")
    found["members-undelivered"] = serious_violations(page)
    shots(page, "undelivered")
    assert smtp_server.to("typo@exmaple.org") == []

    # The mailbox is fixed; the owner sends it again.
    smtp_server.refused.clear()
    row.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text(
        "The invitation was sent to typo@exmaple.org again"
    )
    expect(page.get_by_role("row", name=re.compile(r"typo@exmaple\.org"))).to_contain_text(
        "Delivered to the mail server at"
    )
    smtp_server.wait_for(to="typo@exmaple.org")
    assert Invitation.objects.get(email="typo@exmaple.org").delivery_error == ""

    # The owner sets the auditor's firm.
    page.get_by_role("textbox", name="Audit firm of arthur").fill("Kansai Assurance LLP")
    page.get_by_role("button", name="Save the audit firm of arthur").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text(
        "arthur's affiliation was changed."
    )
    expect(page.get_by_role("textbox", name="Audit firm of arthur")).to_have_value(
        "Kansai Assurance LLP"
    )
    assert Membership.objects.get(user=auditor).affiliation == "Kansai Assurance LLP"
    found["members"] = serious_violations(page)
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert fits(page)
    shots(page, "members-375")

    # A second reset request for one address within the hour is refused, plainly.
    guest = new_page()
    for _attempt in range(2):
        guest.goto("/accounts/password_reset/")
        guest.get_by_label("Email").fill("owen@example.org")
        guest.get_by_role("button", name="Send the link").click()
    expect(guest.get_by_role("main")).to_contain_text("Too many password-reset requests")
    found["reset-refused"] = serious_violations(guest)
    shots(guest, "reset-refused")
    assert len(smtp_server.to("owen@example.org")) == 1
    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n\n".join(f"{n}:\n{describe(v)}" for n, v in failing.items())
