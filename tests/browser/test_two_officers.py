"""Two officers edit the same principle at once (issue 11, "no lost work").

A answers IV.1 and saves; B, whose page was loaded before, answers only IV.2 and
saves: B's save succeeds, A's answer is kept and B sees it after reloading. Then
both change the same question: B gets the conflict card with A's answer, and B's
own words stay in the form; nothing is overwritten silently."""

import re

from playwright.sync_api import expect

from assessments.models import Answer, Membership
from tests.browser.helpers import (
    Screenshots,
    describe,
    question,
    serious_violations,
    sign_in,
    status_message,
)
from tests.conftest import make_user


def answer(page, code: str, level: str, explanation: str) -> None:
    row = question(page, code)
    row.get_by_role("radio", name=level).check()
    row.get_by_label("Explanation").fill(explanation)


def save(page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()


def saved_answers(assessment) -> dict[str, tuple[int, str]]:
    return {
        a.question.code: (a.level, a.explanation)
        for a in Answer.objects.filter(assessment=assessment).select_related("question")
    }


def test_two_officers_edit_principle_iv_at_once(new_page, assessment, officer, organization):
    shots = Screenshots("11-two-officers")
    ada = make_user("ada")
    Membership.objects.create(user=ada, organization=organization, role=Membership.Role.OFFICER)
    address = f"/assessments/{assessment.pk}/principles/IV/"
    page_a, page_b = new_page(), new_page()
    sign_in(page_a, ada)
    sign_in(page_b, officer)
    page_a.goto(address)
    page_b.goto(address)  # loaded before A saves

    answer(page_a, "IV.1", "2 – Partially implemented", "Ada: the policy is drafted.")
    save(page_a)
    expect(status_message(page_a)).to_contain_text("Saved (1 answer(s) changed).")

    answer(page_b, "IV.2", "3 – Largely implemented", "Olivia: reviews are in place.")
    save(page_b)
    expect(status_message(page_b)).to_contain_text("Saved (1 answer(s) changed).")
    expect(page_b.get_by_text("An answer cannot be cleared")).to_have_count(0)
    assert saved_answers(assessment) == {
        "IV.1": (2, "Ada: the policy is drafted."),
        "IV.2": (3, "Olivia: reviews are in place."),
    }
    page_b.reload()
    expect(
        question(page_b, "IV.1").get_by_role("radio", name="2 – Partially implemented")
    ).to_be_checked()
    expect(question(page_b, "IV.1").get_by_label("Explanation")).to_have_value(
        "Ada: the policy is drafted."
    )
    shots(page_b, "b-sees-a-answer")

    # Both change IV.1 now, from pages loaded before either save.
    page_a.reload()
    answer(page_a, "IV.1", "3 – Largely implemented", "Ada: the policy is adopted.")
    answer(page_b, "IV.1", "1 – Planned", "Olivia: only planned, in my view.")
    save(page_a)
    expect(status_message(page_a)).to_contain_text("Saved (1 answer(s) changed).")
    save(page_b)
    card = question(page_b, "IV.1")
    expect(card).to_contain_text(re.compile(r"Changed by ada at"))
    expect(card).to_contain_text("Ada: the policy is adopted.")
    expect(card.get_by_label("Explanation")).to_have_value("Olivia: only planned, in my view.")
    expect(page_b.get_by_role("link", name=re.compile(r"IV\.1"))).not_to_have_count(0)
    assert saved_answers(assessment)["IV.1"] == (3, "Ada: the policy is adopted.")
    shots(page_b, "b-conflict-card")
    violations = serious_violations(page_b)
    assert not violations, describe(violations)

    # Having seen Ada's answer, Olivia saves again: now on purpose, it replaces it.
    save(page_b)
    expect(status_message(page_b)).to_contain_text("Saved")
    assert saved_answers(assessment)["IV.1"] == (1, "Olivia: only planned, in my view.")
