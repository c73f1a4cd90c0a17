"""The team journey's e-mails and notifications (issue 11): every step of the work
between officers and an auditor is announced under the bell and by an e-mail that a
real SMTP server on 127.0.0.1 receives, sent by the real task worker.

The officer assigns principle VI to a colleague, who follows the e-mail's link and
answers it; the officer submits; the auditor comments (blocking), the officer
replies, the auditor returns the assessment, the officer fixes, resolves and
resubmits, the auditor approves. (The pages of the review loop are checked in depth,
with axe-core, by test_review_journey.py; the invitations by test_people_journey.py.)"""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Answer, Membership
from tests.browser.helpers import (
    Screenshots,
    describe,
    nav_link,
    question,
    serious_violations,
    sign_in,
    status_message,
)
from tests.conftest import make_user
from tests.workers import running_worker

COMMENT = "Who ran the tests on I.1?"
REPLY = "The AISI red team; see the report."
REASON = "Name the testers in I.1, please."
FIXED = "External testers: the AISI red team, every release."


@pytest.fixture
def task_worker(catalogue, smtp_server, live_server, monkeypatch):
    """This journey's worker mails through the test's SMTP server, with links to the
    live server."""
    monkeypatch.setenv("TESTS_SMTP_URL", f"smtp://{smtp_server.host}:{smtp_server.port}")
    monkeypatch.setenv("SITE_URL", live_server.url)
    with running_worker() as worker:
        yield worker


def subjects(smtp_server, address) -> list[str]:
    return [" ".join(str(m["Subject"]).split()) for m in smtp_server.to(address)]


def mail_says(smtp_server, address, count, text):
    """The ``count``-th e-mail to ``address`` has arrived, and its subject says ``text``."""
    message = smtp_server.wait_for(to=address, count=count)
    subject = " ".join(str(message["Subject"]).split())
    assert text in subject, subjects(smtp_server, address)
    return message


def answer_all_but(assessment, by, numeral):
    result = services.result_for(assessment)
    inputs = [
        services.AnswerInput(
            question_id=q.question.id,
            seen_version=0,
            level=3,
            not_applicable=False,
            explanation=f"Answer to {q.question.code}.",
        )
        for p in result.principles
        for q in p.questions
        if not q.question.code.startswith(f"{numeral}.")
    ]
    services.save_answers(assessment=assessment, inputs=inputs, by=by)


def test_every_step_is_announced_in_the_app_and_by_email(
    new_page, smtp_server, assessment, officer, auditor, organization
):
    shots = Screenshots("11-team-journey")
    carla = make_user("carla", email="carla@example.com")
    Membership.objects.create(user=carla, organization=organization, role=Membership.Role.OFFICER)
    for user in (officer, auditor):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    answer_all_but(assessment, officer, "VI")
    violations = {}

    # The officer assigns principle VI to Carla.
    lead = new_page()
    sign_in(lead, officer)
    lead.goto(f"/assessments/{assessment.pk}/assignments/")
    lead.get_by_label("Principle or question").select_option("p:VI")
    lead.get_by_label("Assign to").select_option(label="carla")
    lead.get_by_role("button", name="Assign", exact=True).click()
    expect(lead.get_by_text("VI assigned to carla.")).to_be_visible()

    # Carla follows the e-mail's link, signs in, and answers principle VI.
    message = mail_says(smtp_server, "carla@example.com", 1, "olivia assigned principle VI")
    link = smtp_server.link_in(message, "/principles/VI/")
    colleague = new_page()
    sign_in(colleague, carla)
    expect(colleague.get_by_text("Notifications: 1 unread")).to_be_attached()
    colleague.goto(link)
    expect(colleague.get_by_text("Assigned to carla").first).to_be_visible()
    codes = colleague.locator("section.question-card").evaluate_all(
        "cards => cards.map(card => card.id.slice(2))"  # id="q-VI.1"
    )
    assert codes, "no questions on principle VI"
    for code in codes:
        row = question(colleague, code)
        row.get_by_role("radio", name="2 – Partially implemented").check()
        row.get_by_label("Explanation").fill(f"Carla: what is in place for {code}.")
    colleague.get_by_role("button", name="Save", exact=True).click()
    expect(status_message(colleague)).to_have_text(f"Saved ({len(codes)} answer(s) changed).")
    nav_link(colleague, "My work").click()
    expect(colleague.get_by_role("main")).to_contain_text(f"{len(codes)} of {len(codes)} answered")
    violations["my-work-done"] = serious_violations(colleague)
    shots(colleague, "carla-my-work-done")
    assert Answer.objects.filter(assessment=assessment, question__code__startswith="VI.").filter(
        updated_by=carla
    ).count() == len(codes)

    # The officer submits; the auditor hears of it.
    lead.goto(f"/assessments/{assessment.pk}/")
    lead.get_by_role("link", name="Submit for review…").click()
    lead.get_by_role("button", name="Yes, submit for review").click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    mail_says(smtp_server, "arthur@example.com", 1, "olivia submitted")

    # The auditor comments on I.1, blocking; the officer hears of it and replies.
    reviewer = new_page()
    sign_in(reviewer, auditor)
    expect(reviewer.get_by_text("Notifications: 1 unread")).to_be_attached()
    reviewer.goto(f"/assessments/{assessment.pk}/principles/I/")
    reviewer.get_by_label("Comment on I.1", exact=True).fill(COMMENT)
    reviewer.get_by_label(re.compile(r"^Blocking: I\.1 ")).check()
    reviewer.get_by_role("button", name="Add comment on I.1", exact=True).click()
    expect(status_message(reviewer)).to_have_text("Comment added to I.1.")
    message = mail_says(smtp_server, "olivia@example.com", 1, "arthur commented on I.1")
    lead.goto(smtp_server.link_in(message, "/principles/I/"))
    question(lead, "I.1").get_by_label("Reply on I.1").fill(REPLY)
    lead.get_by_role("button", name="Reply on I.1").click()
    expect(status_message(lead)).to_have_text("Reply added on I.1.")
    mail_says(smtp_server, "arthur@example.com", 2, "olivia replied on I.1")

    # The auditor returns it; both officers hear why.
    reviewer.goto(f"/assessments/{assessment.pk}/")
    reviewer.get_by_label("Comment", exact=True).fill(REASON)
    reviewer.get_by_role("button", name="Return for changes").click()
    reviewer.get_by_role("button", name="Yes, return for changes").click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Returned")
    for address, count in (("olivia@example.com", 2), ("carla@example.com", 2)):
        message = mail_says(smtp_server, address, count, "arthur returned")
        assert REASON in smtp_server.text(message)

    # The officer sees the banner, fixes I.1, resolves the comment and resubmits.
    lead.goto(f"/assessments/{assessment.pk}/")
    expect(lead.get_by_role("region", name="Returned for changes")).to_contain_text(REASON)
    lead.goto(f"/assessments/{assessment.pk}/principles/I/")
    row = question(lead, "I.1")
    row.get_by_role("radio", name="2 – Partially implemented").check()
    row.get_by_label("Explanation").fill(FIXED)
    lead.get_by_role("button", name="Save", exact=True).click()
    expect(status_message(lead)).to_have_text("Saved (1 answer(s) changed).")
    lead.get_by_role("button", name="Resolve the comment on I.1").click()
    expect(status_message(lead)).to_have_text("Comment on I.1 resolved.")
    lead.goto(f"/assessments/{assessment.pk}/")
    lead.get_by_role("link", name="Submit for review…").click()
    lead.get_by_role("button", name="Yes, submit for review").click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    message = mail_says(smtp_server, "arthur@example.com", 3, "olivia submitted")

    # The auditor follows the e-mail, sees the changes since the last submission, approves.
    reviewer.goto(smtp_server.link_in(message, f"/assessments/{assessment.pk}/"))
    reviewer.get_by_role("link", name="Changes since the last submission").click()
    expect(reviewer.get_by_role("region", name="I.1")).to_contain_text(FIXED)
    reviewer.goto(f"/assessments/{assessment.pk}/")
    reviewer.get_by_label("Scope of your review").fill("All twelve principles.")
    reviewer.get_by_label("Sampling performed").fill("Principle I in full.")
    reviewer.get_by_label("Your opinion").fill("The answers match the evidence sampled.")
    reviewer.get_by_label("Your affiliation").fill("Example Assurance LLP")
    reviewer.get_by_role("radio", name="Yes").check()
    reviewer.get_by_role("button", name="Approve").click()
    reviewer.get_by_label("I approve although these answers are not marked reviewed").check()
    reviewer.get_by_role("button", name="Yes, approve").click()
    expect(status_message(reviewer)).to_contain_text("Approved.")
    mail_says(smtp_server, "olivia@example.com", 3, "arthur approved")
    mail_says(smtp_server, "carla@example.com", 3, "arthur approved")

    # Under the bell, the officer finds every step.
    lead.goto("/notifications/")
    for text in ("arthur commented on I.1", "arthur returned", "arthur approved"):
        expect(lead.get_by_role("main")).to_contain_text(text)
    violations["notifications"] = serious_violations(lead)
    shots(lead, "officer-notifications")
    # One e-mail per event and person: nothing was sent twice.
    assert len(smtp_server.to("olivia@example.com")) == 3, subjects(
        smtp_server, "olivia@example.com"
    )
    assert len(smtp_server.to("arthur@example.com")) == 3, subjects(
        smtp_server, "arthur@example.com"
    )
    assert not any(violations.values()), "\n".join(
        f"{name}:\n{describe(found)}" for name, found in violations.items() if found
    )
