"""Journey: an officer assigns principle VI to a colleague, who hears of it under the
bell, follows it to the questionnaire and finds it under "My work" (also at 375 px);
axe-core finds no serious or critical violation on the new pages."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Membership
from tests.browser.conftest import RENDER_TIMEOUT_MS
from tests.browser.helpers import Screenshots, describe, nav_link, serious_violations, sign_in
from tests.conftest import make_user


def fits(page) -> bool:
    """The main content needs no horizontal scrolling (the navbar is the editing work's)."""
    return page.evaluate("() => document.querySelector('main').scrollWidth <= window.innerWidth")


def test_assign_notify_and_my_work(new_page, assessment, officer, organization):
    shots = Screenshots("6-assignments-notifications")
    colleague = make_user("carla")
    Membership.objects.create(
        user=colleague, organization=organization, role=Membership.Role.OFFICER
    )
    violations = {}

    page = new_page()
    page.goto(
        "/", timeout=RENDER_TIMEOUT_MS
    )  # the live server's first page is slow on a busy machine
    sign_in(page, officer)
    page.goto(f"/assessments/{assessment.pk}/")
    page.get_by_role("link", name="Assignments").click()
    page.get_by_label("Principle or question").select_option("p:VI")
    page.get_by_label("Assign to").select_option(label="carla")
    due = timezone.localdate() + timedelta(days=5)
    page.get_by_label("Due date", exact=True).fill(due.isoformat())
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("VI assigned to carla.")).to_be_visible()
    violations["assignments"] = serious_violations(page)
    shots(page, "assignments")

    phone = new_page()
    phone.set_viewport_size({"width": 375, "height": 812})
    sign_in(phone, colleague)
    expect(phone.get_by_text("Notifications: 1 unread")).to_be_attached()
    phone.locator("#notification-bell").click()
    violations["notifications"] = serious_violations(phone)
    assert fits(phone)
    shots(phone, "notifications-375")
    phone.get_by_role("button", name="olivia assigned principle VI").click()
    expect(phone).to_have_url(re.compile(rf"/assessments/{assessment.pk}/principles/VI/$"))
    expect(phone.get_by_text("Assigned to carla").first).to_be_visible()
    expect(phone.get_by_text("Notifications: 0 unread")).to_be_attached()

    phone.get_by_role("button", name="Menu").click()  # the navbar is folded on a phone
    nav_link(phone, "My work").click()
    expect(phone.get_by_role("link", name="Principle VI")).to_be_visible()
    expect(phone.get_by_text(f"due {due.isoformat()}")).to_be_visible()
    violations["my-work"] = serious_violations(phone)
    assert fits(phone)
    shots(phone, "my-work-375")

    phone.goto("/notifications/preferences/")
    phone.get_by_label("Send me notification e-mails").uncheck()
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Your e-mail settings are saved.")).to_be_visible()
    violations["preferences"] = serious_violations(phone)
    assert fits(phone)
    shots(phone, "preferences-375")

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert fits(page)
    shots(page, "assignments-375")
    assert not any(violations.values()), "\n".join(
        f"{name}:\n{describe(found)}" for name, found in violations.items() if found
    )
