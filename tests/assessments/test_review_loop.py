"""The review loop: comment threads, open comments, blocking comments, reviewed
marks, confirmations, the returned status and the changes since the last submission."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, Comment, Evidence
from assessments.signals import comment_posted
from tests.assessments.helpers import page_url
from tests.assessments.test_review_rules import OPINION_POST
from tests.conftest import an_opinion

pytestmark = pytest.mark.django_db


def answer_of(assessment, code):
    return Answer.objects.get(assessment=assessment, question__code=code)


def thread(assessment, auditor, code="I.1", text="Who were the testers?", blocking=False):
    return services.add_comment(
        assessment=assessment,
        answer=answer_of(assessment, code),
        text=text,
        blocking=blocking,
        by=auditor,
    )


def returned(assessment, auditor, reason="Please fix I.1."):
    services.return_assessment(assessment=assessment, by=auditor, comment=reason)
    assessment.refresh_from_db()
    return assessment


def comments_url(assessment, numeral="I"):
    return reverse("comments_post", args=[assessment.pk, numeral])


def change(assessment, officer, code, **values):
    """Save one answer through the service, from its current version."""
    answer = answer_of(assessment, code)
    item = services.AnswerInput(
        question_id=answer.question_id,
        seen_version=answer.version,
        level=values.get("level", answer.level),
        not_applicable=False,
        explanation=values.get("explanation", answer.explanation),
        new_evidence=values.get("new_evidence"),
        remove_evidence=values.get("remove_evidence", []),
    )
    services.save_answers(assessment=assessment, inputs=[item], by=officer)


# --- threads --------------------------------------------------------------------


def test_officer_replies_and_the_signal_carries_the_parent(client, submitted, auditor, officer):
    first = thread(submitted, auditor, blocking=True)
    heard = []

    def receiver(sender, comment, by, **kwargs):
        heard.append((comment.parent, by))

    comment_posted.connect(receiver)
    try:
        client.force_login(officer)
        response = client.post(
            comments_url(submitted),
            {f"reply-{first.pk}": "The AISI red team.", "action": f"reply:{first.pk}"},
        )
    finally:
        comment_posted.disconnect(receiver)
    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{first.pk}")
    reply = Comment.objects.get(parent=first)
    assert reply.author == officer and reply.text == "The AISI red team."
    assert heard == [(first, officer)]
    html = client.get(page_url(submitted, "I")).content.decode()
    assert "The AISI red team." in html and "Blocking" in html


def test_officers_do_not_start_threads_nor_mark_them_blocking(client, submitted, officer):
    client.force_login(officer)
    response = client.post(
        comments_url(submitted),
        {"text-I.1": "Self-comment", "blocking-I.1": "1", "action": "comment:I.1"},
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_reply_is_never_blocking_and_counts_towards_the_limit(
    submitted, auditor, officer, settings
):
    settings.COMMENTS_MAX_PER_ANSWER = 2
    first = thread(submitted, auditor)
    answer = first.answer
    reply = services.add_comment(
        assessment=submitted, answer=answer, parent=first, text="ok", blocking=True, by=officer
    )
    assert reply.blocking is False
    with pytest.raises(services.LimitExceeded):
        services.add_comment(
            assessment=submitted, answer=answer, parent=first, text="again", by=auditor
        )
    other = answer_of(submitted, "I.2")
    with pytest.raises(services.WorkflowError, match="same answer"):
        services.add_comment(
            assessment=submitted, answer=other, parent=first, text="elsewhere", by=auditor
        )


def test_who_resolves_and_reopens(submitted, auditor, officer):
    blocking = thread(submitted, auditor, blocking=True)
    # While under review only an auditor resolves.
    with pytest.raises(services.WorkflowError, match="only an auditor resolves"):
        services.resolve_comment(assessment=submitted, comment=blocking, by=officer)
    assert services.resolve_comment(assessment=submitted, comment=blocking, by=auditor)
    assert services.reopen_comment(assessment=submitted, comment=blocking, by=auditor)
    returned(submitted, auditor)
    # On the returned draft the officer resolves the fixed answer's thread...
    assert services.resolve_comment(assessment=submitted, comment=blocking, by=officer)
    blocking.refresh_from_db()
    assert blocking.resolved_by == officer and blocking.resolved_at
    # ...and may reopen what an officer resolved, not what an auditor resolved.
    assert services.reopen_comment(assessment=submitted, comment=blocking, by=officer)
    services.resolve_comment(assessment=submitted, comment=blocking, by=auditor)
    with pytest.raises(services.WorkflowError, match="Only an auditor reopens"):
        services.reopen_comment(assessment=submitted, comment=blocking, by=officer)


def test_resolve_and_reopen_through_the_page(client, submitted, auditor, outsider):
    first = thread(submitted, auditor)
    client.force_login(auditor)
    response = client.post(comments_url(submitted), {"action": f"resolve:{first.pk}"}, follow=True)
    assert "Comment on I.1 resolved." in response.content.decode()
    first.refresh_from_db()
    assert first.resolved_by == auditor
    client.post(comments_url(submitted), {"action": f"reopen:{first.pk}"})
    first.refresh_from_db()
    assert first.resolved_at is None
    client.force_login(outsider)
    response = client.post(comments_url(submitted), {"action": f"resolve:{first.pk}"})
    assert response.status_code == 404
    assert client.get(reverse("open_comments", args=[submitted.pk])).status_code == 404


def test_a_comment_of_another_assessment_is_not_found(client, submitted, auditor, officer):
    other = services.create_assessment(
        organization=submitted.organization, title="Other", scope="s", by=officer
    )
    first = thread(submitted, auditor)
    client.force_login(auditor)
    response = client.post(comments_url(other), {"action": f"resolve:{first.pk}"})
    assert response.status_code == 404
    response = client.post(comments_url(submitted), {"action": "resolve:nonsense"})
    assert response.status_code == 404


def test_nothing_changes_on_comments_once_approved(approved, auditor, officer):
    answer = answer_of(approved, "I.1")
    Comment.objects.create(answer=answer, author=auditor, text="Old")
    first = Comment.objects.get()
    with pytest.raises(services.WorkflowError):
        services.add_comment(
            assessment=approved, answer=answer, parent=first, text="late", by=officer
        )
    with pytest.raises(services.WorkflowError, match="approved"):
        services.resolve_comment(assessment=approved, comment=first, by=auditor)


# --- no lost text -----------------------------------------------------------------


def test_posting_one_comment_keeps_the_text_typed_in_the_other_boxes(client, submitted, auditor):
    first = thread(submitted, auditor)
    client.force_login(auditor)
    response = client.post(
        comments_url(submitted),
        {
            "text-I.1": "Posted now.",
            "text-I.2": "Half-written note on I.2",
            "blocking-I.2": "1",
            f"reply-{first.pk}": "A reply not sent yet",
            "action": "comment:I.1",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Comment added to I.1." in html
    assert Comment.objects.filter(text="Posted now.").exists()
    assert Comment.objects.count() == 2
    assert re.search(r'name="text-I\.2"[^>]*>Half-written note on I\.2</textarea>', html)
    assert re.search(r'name="blocking-I\.2" value="1" checked', html)
    assert f'name="reply-{first.pk}" rows="2">A reply not sent yet</textarea>' in html
    # The posted box is empty again, and the kept text is shown once only.
    assert re.search(r'name="text-I\.1" rows="2"></textarea>', html)
    again = client.get(page_url(submitted, "I")).content.decode()
    assert "Half-written note on I.2" not in again


def test_a_refused_comment_keeps_its_own_text_too(client, submitted, auditor, settings):
    settings.COMMENT_MAX_CHARS = 10
    client.force_login(auditor)
    response = client.post(
        comments_url(submitted),
        {"text-I.1": "far too long a comment", "action": "comment:I.1"},
        follow=True,
    )
    html = response.content.decode()
    assert "at most 10 characters" in html
    assert "far too long a comment</textarea>" in html
    assert not Comment.objects.exists()


# --- open comments and blocking -----------------------------------------------------


def test_open_comments_page_lists_unresolved_threads_with_links(
    client, submitted, auditor, officer, django_assert_max_num_queries
):
    first = thread(submitted, auditor, code="I.1", text="Open one", blocking=True)
    done = thread(submitted, auditor, code="I.2", text="Resolved one")
    services.resolve_comment(assessment=submitted, comment=done, by=auditor)
    for code in ("II.1", "III.1", "IV.1"):
        second = thread(submitted, auditor, code=code, text=f"About {code}")
        services.add_comment(
            assessment=submitted, answer=second.answer, parent=second, text="Reply", by=officer
        )
    client.force_login(officer)
    # 6, and the navbar's notification bell
    with django_assert_max_num_queries(7):
        response = client.get(reverse("open_comments", args=[submitted.pk]))
    html = response.content.decode()
    assert "Open one" in html and "Resolved one" not in html and "About IV.1" in html
    assert f'href="{page_url(submitted, "I")}#comment-{first.pk}"' in html
    detail = client.get(reverse("assessment_detail", args=[submitted.pk])).content.decode()
    assert "4 open comments" in detail


def test_submission_is_refused_while_a_blocking_comment_is_open(
    client, submitted, auditor, officer
):
    first = thread(submitted, auditor, code="I.1", blocking=True)
    thread(submitted, auditor, code="II.1", blocking=False)
    returned(submitted, auditor)
    client.force_login(officer)
    confirm = client.get(reverse("assessment_submit", args=[submitted.pk])).content.decode()
    assert "Blocking comments still open on: I.1" in confirm
    response = client.post(
        reverse("assessment_submit", args=[submitted.pk]), {"confirm": "yes"}, follow=True
    )
    html = response.content.decode()
    assert "Not submitted" in html and "blocking comment is still open, on I.1" in html
    assert Assessment.objects.get(pk=submitted.pk).is_draft
    services.resolve_comment(assessment=submitted, comment=first, by=officer)
    client.post(reverse("assessment_submit", args=[submitted.pk]), {"confirm": "yes"})
    assert Assessment.objects.get(pk=submitted.pk).is_submitted


def test_approval_is_refused_while_a_blocking_comment_is_open(submitted, auditor):
    thread(submitted, auditor, code="I.1", blocking=True)
    with pytest.raises(services.WorkflowError, match="blocking comment is still open, on I.1"):
        services.approve_assessment(
            assessment=submitted, by=auditor, opinion=an_opinion(), confirm_unreviewed=True
        )


# --- reviewed marks -----------------------------------------------------------------


def test_auditor_marks_one_answer_then_a_principle_and_a_change_clears_the_mark(
    client, submitted, auditor, officer
):
    client.force_login(auditor)
    response = client.post(comments_url(submitted), {"action": "reviewed:I.1"}, follow=True)
    assert "Marked reviewed: I.1." in response.content.decode()
    assert answer_of(submitted, "I.1").reviewed_by == auditor
    client.post(comments_url(submitted), {"action": "reviewed-principle:I"})
    codes_i = [a.question.code for a in Answer.objects.filter(assessment=submitted)]
    codes_i = [c for c in codes_i if c.split(".")[0] == "I"]
    assert all(answer_of(submitted, c).reviewed_at for c in codes_i)
    detail = client.get(reverse("assessment_detail", args=[submitted.pk]))
    progress = {p.numeral: (p.reviewed, p.answered) for p in detail.context["review_progress"]}
    assert progress["I"] == (len(codes_i), len(codes_i)) and progress["II"][0] == 0
    returned(submitted, auditor)
    change(submitted, officer, "I.2", explanation="Rewritten.")
    assert answer_of(submitted, "I.2").reviewed_at is None
    assert answer_of(submitted, "I.1").reviewed_at is not None
    # Evidence alone is a change too.
    change(
        submitted,
        officer,
        "I.1",
        new_evidence=services.NewEvidence(description="Policy", url="https://example.com/p"),
    )
    assert answer_of(submitted, "I.1").reviewed_at is None


def test_only_auditors_mark_reviewed_and_only_while_submitted(client, submitted, officer, auditor):
    client.force_login(officer)
    assert client.post(comments_url(submitted), {"action": "reviewed:I.1"}).status_code == 403
    returned(submitted, auditor)
    client.force_login(auditor)
    response = client.post(comments_url(submitted), {"action": "reviewed:I.1"}, follow=True)
    assert "only while the assessment is under review" in response.content.decode()
    assert answer_of(submitted, "I.1").reviewed_at is None


def test_approving_with_unreviewed_answers_asks_for_confirmation(client, submitted, auditor):
    client.force_login(auditor)
    url = reverse("assessment_approve", args=[submitted.pk])
    plain = {k: v for k, v in OPINION_POST.items() if not k.startswith("confirm")}
    # The detail page's form leads to the confirmation page; nothing is approved yet.
    page = client.post(url, plain)
    html = page.content.decode()
    assert page.status_code == 200 and "are not marked reviewed" in html
    assert 'name="confirm_unreviewed"' in html and 'value="All principles."' in html
    # Confirmed without ticking the unreviewed box: still not approved.
    response = client.post(url, plain | {"confirm": "yes"})
    assert "although some answers are not reviewed" in response.content.decode()
    assert Assessment.objects.get(pk=submitted.pk).is_submitted
    services.mark_reviewed(assessment=submitted, by=auditor, numeral="I")
    response = client.post(url, plain | {"confirm": "yes", "confirm_unreviewed": "yes"})
    assert response.status_code == 302
    assert Assessment.objects.get(pk=submitted.pk).is_locked


def test_approving_with_every_answer_reviewed_needs_only_the_confirmation(
    client, submitted, auditor
):
    for numeral in ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]:
        services.mark_reviewed(assessment=submitted, by=auditor, numeral=numeral)
    assert services.unreviewed_codes(submitted) == []
    client.force_login(auditor)
    url = reverse("assessment_approve", args=[submitted.pk])
    plain = {k: v for k, v in OPINION_POST.items() if not k.startswith("confirm")}
    html = client.post(url, plain).content.decode()
    assert "not marked reviewed" not in html and "Yes, approve" in html
    assert client.post(url, plain | {"confirm": "yes"}).status_code == 302
    assert Assessment.objects.get(pk=submitted.pk).is_locked


# --- confirmations ------------------------------------------------------------------


def test_submit_return_and_approve_without_the_confirm_field_change_nothing(
    client, submitted, auditor, officer
):
    client.force_login(auditor)
    response = client.post(reverse("assessment_return", args=[submitted.pk]), {"comment": "Redo"})
    assert response.status_code == 200 and "Yes, return for changes" in response.content.decode()
    assert Assessment.objects.get(pk=submitted.pk).is_submitted
    plain = {k: v for k, v in OPINION_POST.items() if not k.startswith("confirm")}
    client.post(reverse("assessment_approve", args=[submitted.pk]), plain)
    assert Assessment.objects.get(pk=submitted.pk).is_submitted
    client.post(
        reverse("assessment_return", args=[submitted.pk]), {"comment": "Redo", "confirm": "yes"}
    )
    assert Assessment.objects.get(pk=submitted.pk).is_draft
    client.force_login(officer)
    page = client.get(reverse("assessment_submit", args=[submitted.pk]))
    assert "Yes, submit for review" in page.content.decode()
    client.post(reverse("assessment_submit", args=[submitted.pk]))
    assert Assessment.objects.get(pk=submitted.pk).is_draft


def test_confirmation_pages_refuse_the_wrong_role_and_outsiders(
    client, submitted, auditor, outsider
):
    client.force_login(auditor)
    assert client.get(reverse("assessment_submit", args=[submitted.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("assessment_submit", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("assessment_changes", args=[submitted.pk])).status_code == 404


def test_confirmations_need_the_csrf_token(submitted, auditor):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(auditor)
    response = strict.post(
        reverse("assessment_return", args=[submitted.pk]), {"comment": "x", "confirm": "yes"}
    )
    assert response.status_code == 403
    assert Assessment.objects.get(pk=submitted.pk).is_submitted


# --- returned everywhere ------------------------------------------------------------


def test_a_returned_assessment_says_so_everywhere(client, submitted, auditor, officer):
    thread(submitted, auditor, blocking=True)
    returned(submitted, auditor, reason="Say who the testers were.")
    client.force_login(officer)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert ">Returned</span>" in dashboard
    for url in (reverse("assessment_detail", args=[submitted.pk]), page_url(submitted, "I")):
        html = client.get(url).content.decode()
        assert "Returned for changes" in html and "Say who the testers were." in html
        assert "1 open comment" in html, url
    # Submitted again, it is no longer "Returned".
    services.resolve_comment(assessment=submitted, comment=Comment.objects.get(), by=officer)
    services.submit_assessment(assessment=submitted, by=officer)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert ">Returned</span>" not in dashboard and "Submitted for review" in dashboard


# --- changes since the last submission ------------------------------------------------


@pytest.fixture
def resubmitted(submitted, auditor, officer):
    """Submitted twice: between the two, I.1's level and explanation changed, a link
    was added to I.2, and I.3 lost the link it had at the first of them."""
    returned(submitted, auditor)
    change(
        submitted,
        officer,
        "I.3",
        new_evidence=services.NewEvidence(description="Old link", url="https://example.com/old"),
    )
    services.submit_assessment(assessment=submitted, by=officer)
    returned(submitted, auditor, reason="Once more.")
    change(submitted, officer, "I.1", level=2, explanation="Now partial.")
    change(
        submitted,
        officer,
        "I.2",
        new_evidence=services.NewEvidence(description="Test plan", url="https://example.com/t"),
    )
    old = Evidence.objects.get(description="Old link")
    change(submitted, officer, "I.3", remove_evidence=[old.pk])
    services.submit_assessment(assessment=submitted, by=officer)
    submitted.refresh_from_db()
    return submitted


def test_auditor_sees_the_changes_since_the_last_submission(
    client, resubmitted, auditor, django_assert_max_num_queries
):
    client.force_login(auditor)
    # 10, and the navbar's notification bell
    with django_assert_max_num_queries(11):
        response = client.get(reverse("assessment_changes", args=[resubmitted.pk]))
    changes = {c.code: c for c in response.context["changes"]}
    assert set(changes) == {"I.1", "I.2", "I.3"}
    assert (changes["I.1"].before, changes["I.1"].after) == (
        "3 – Largely implemented",
        "2 – Partially implemented",
    )
    assert changes["I.1"].explanation_before == "Answer to I.1."
    assert changes["I.2"].evidence_added == ["Test plan (https://example.com/t)"]
    assert changes["I.3"].evidence_removed == ["Old link (https://example.com/old)"]
    html = response.content.decode()
    assert "Now partial." in html and "Old link" in html


def test_officer_sees_the_changes_on_the_returned_draft(client, resubmitted, auditor, officer):
    returned(resubmitted, auditor)
    change(resubmitted, officer, "II.1", explanation="Changed after the return.")
    client.force_login(officer)
    response = client.get(reverse("assessment_changes", args=[resubmitted.pk]))
    assert [c.code for c in response.context["changes"]] == ["II.1"]


def test_history_shows_evidence_added_and_removed(client, resubmitted, officer):
    client.force_login(officer)
    html = client.get(reverse("assessment_history", args=[resubmitted.pk])).content.decode()
    assert "Evidence added" in html and "Evidence removed" in html
    assert "Old link (https://example.com/old)" in html


def test_no_baseline_before_a_second_submission(client, submitted, auditor):
    client.force_login(auditor)
    response = client.get(reverse("assessment_changes", args=[submitted.pk]))
    assert response.context["since"] is None
    assert "no earlier submission to compare with" in response.content.decode()


def test_questionnaire_query_count_stays_fixed_with_threads(
    client, submitted, auditor, officer, django_assert_max_num_queries
):
    for code in ("I.1", "I.2", "I.3"):
        first = thread(submitted, auditor, code=code, blocking=True)
        for _ in range(3):
            services.add_comment(
                assessment=submitted, answer=first.answer, parent=first, text="r", by=officer
            )
    client.force_login(auditor)
    with django_assert_max_num_queries(15):
        client.get(page_url(submitted, "I"))
