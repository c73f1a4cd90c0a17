"""Journey: an owner invites an officer and an external auditor by e-mail (a real SMTP
server on 127.0.0.1), they open the links from the mails they received, create their
accounts and see the dashboard; the auditor, invited by a second organization too, joins
it with the same account and sees both; a forgotten password is reset from the mail."""

from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.models import Membership
from members import services
from tests.browser.conftest import RENDER_TIMEOUT_MS
from tests.browser.helpers import Screenshots, describe, nav_link, serious_violations, sign_in
from tests.conftest import make_org, make_user

PASSWORD = "a lunar password 2026"
NEW_PASSWORD = "another lunar password 2027"


def check_accessible(page, found, name, shots):
    found[name] = serious_violations(page)
    shots(page, name)


def open_invitation(page, smtp_server, live_server, address, count=1):
    message = smtp_server.wait_for(to=address, count=count)
    link = smtp_server.link_in(message, "/invitations/")
    assert link.startswith(live_server.url)
    page.goto(link)


def create_account(page, username):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password*", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account and join").click()


def test_owner_invites_officer_and_auditor_who_join_from_the_mail(
    new_page, live_server, smtp_server, settings, organization, assessment
):
    settings.SITE_URL = live_server.url
    shots = Screenshots("6-people")
    found = {}
    owner = make_user("owen", email="owen@example.org")
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    # A second organization, whose owner invites the same external auditor.
    second = make_org("Second Robotics", "second")
    second_owner = make_user("sora", email="sora@second.example")
    second_officer = make_user("sato")
    Membership.objects.create(user=second_owner, organization=second, role="owner")
    Membership.objects.create(user=second_officer, organization=second, role="officer")
    assessment_services.create_assessment(
        organization=second, title="Robot arm 2026", scope="Our robot arm.", by=second_officer
    )

    # The owner invites an officer and an external auditor from the members page.
    manager = new_page()
    # The live server's first page (static files found, templates compiled) can be
    # slow on a busy machine: wait for it longer than for the others.
    manager.goto("/", timeout=RENDER_TIMEOUT_MS)
    sign_in(manager, owner)
    nav_link(manager, "Members").click()
    expect(manager.get_by_role("heading", name="Members of Example AI Labs")).to_be_visible()
    for email, role, firm in (
        ("nina@example.org", "Compliance officer", ""),
        ("audra@firm.example", "Auditor", "Kansai Assurance LLP"),
    ):
        manager.get_by_label("E-mail address").fill(email)
        manager.get_by_role("combobox", name="Role*", exact=True).select_option(label=role)
        manager.get_by_label("Audit firm (for an external auditor)").fill(firm)
        manager.get_by_role("button", name="Send invitation").click()
        expect(manager.get_by_role("status")).to_contain_text(f"Invitation sent to {email}")
    expect(manager.get_by_role("cell", name="audra@firm.example", exact=True)).to_be_visible()
    check_accessible(manager, found, "members", shots)

    # The officer opens the link from the mail and creates an account.
    nina = new_page()
    open_invitation(nina, smtp_server, live_server, "nina@example.org")
    expect(nina.get_by_role("heading", name="Join Example AI Labs")).to_be_visible()
    check_accessible(nina, found, "accept-invitation", shots)
    create_account(nina, "nina")
    expect(nina.get_by_role("status")).to_contain_text("Welcome to Example AI Labs")
    expect(nina.get_by_role("link", name=assessment.title)).to_be_visible()
    shots(nina, "officer-dashboard")

    # The auditor does the same, then joins the second organization with that account.
    audra = new_page()
    open_invitation(audra, smtp_server, live_server, "audra@firm.example")
    create_account(audra, "audra")
    expect(audra.get_by_role("link", name=assessment.title)).to_be_visible()
    services.invite_member(
        organization=second, email="audra@firm.example", role="auditor", by=second_owner
    )
    open_invitation(audra, smtp_server, live_server, "audra@firm.example", count=2)
    expect(audra.get_by_role("heading", name="Join Second Robotics")).to_be_visible()
    audra.get_by_role("button", name="Join as audra").click()
    expect(audra.get_by_role("heading", name="Example AI Labs")).to_be_visible()
    expect(audra.get_by_role("heading", name="Second Robotics")).to_be_visible()
    expect(audra.get_by_role("link", name="Robot arm 2026")).to_be_visible()
    expect(audra.get_by_role("link", name=assessment.title)).to_be_visible()
    check_accessible(audra, found, "auditor-dashboard-two-organizations", shots)

    # The link works once: opened again, it says so.
    open_invitation(audra, smtp_server, live_server, "audra@firm.example", count=2)
    expect(audra.get_by_text("This invitation has already been accepted.")).to_be_visible()

    # Back on the members page, both are members and no invitation is open.
    manager.reload()
    expect(manager.get_by_role("cell", name="audra@firm.example", exact=True)).to_be_visible()
    expect(manager.get_by_text("No open invitations.")).to_be_visible()
    membership = Membership.objects.get(user__username="audra", organization=organization)
    assert (membership.role, membership.affiliation) == ("auditor", "Kansai Assurance LLP")

    # The auditor forgets the password and resets it from the mail.
    forgetful = new_page()
    forgetful.goto("/")
    forgetful.get_by_role("link", name="Forgot your password?").click()
    check_accessible(forgetful, found, "password-reset", shots)
    forgetful.get_by_label("Email").fill("audra@firm.example")
    forgetful.get_by_role("button", name="Send the link").click()
    expect(forgetful.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    message = smtp_server.wait_for(to="audra@firm.example", count=3)
    forgetful.goto(smtp_server.link_in(message, "/accounts/reset/"))
    expect(forgetful.get_by_role("heading", name="Choose a new password")).to_be_visible()
    check_accessible(forgetful, found, "password-reset-confirm", shots)
    forgetful.get_by_label("New password*", exact=True).fill(NEW_PASSWORD)
    forgetful.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    forgetful.get_by_role("button", name="Set the password").click()
    expect(forgetful.get_by_text("Your new password is set.")).to_be_visible()
    forgetful.get_by_role("link", name="Sign in").last.click()
    forgetful.get_by_label("Username").fill("audra")
    forgetful.get_by_label("Password").fill(NEW_PASSWORD)
    forgetful.get_by_role("button", name="Sign in").click()
    expect(forgetful.get_by_role("link", name="Robot arm 2026")).to_be_visible()

    assert not any(found.values()), "\n".join(
        f"{page}:\n{describe(violations)}" for page, violations in found.items() if violations
    )
