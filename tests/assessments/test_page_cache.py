"""Questionnaire pages kept per process (``assessments/page_cache.py``): served again
only while nothing they show has changed, to nobody but the member they were built
for, with a CSRF token of the asking session."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.assignments import assign_work
from assessments.models import Answer, Assessment, Evidence, Membership
from assessments.stamps import page_read, stamp_assessment_changed
from notifications.models import Kind, Notification
from principles.models import CrosswalkMapping, LifecycleRole, Question
from tests.assessments.helpers import page_post_data, page_url
from tests.conftest import PASSWORD, answer_everything, make_user

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def page(client, assessment, numeral="I", **params) -> str:
    response = client.get(page_url(assessment, numeral), params)
    assert response.status_code == 200
    return response.content.decode()


def kept(client, assessment, numeral="I") -> tuple[str, int]:
    """The page asked twice: the second answer and its number of queries."""
    page(client, assessment, numeral)
    with CaptureQueriesContext(connection) as queries:
        html = page(client, assessment, numeral)
    return html, len(queries)


def without_tokens(html: str) -> str:
    return TOKEN.sub("", html)


def an_input(question_id, explanation, *, level=3, seen_version=0):
    """One answer to save; ``level=None`` is "not applicable"."""
    return services.AnswerInput(
        question_id=question_id,
        seen_version=seen_version,
        level=level,
        not_applicable=level is None,
        explanation=explanation,
    )


def answer(assessment, code):
    return Answer.objects.get(assessment=assessment, question__code=code)


# --- served again, unchanged ----------------------------------------------------


def test_the_same_page_asked_again_is_served_without_building_it(assessment, officer):
    client = signed_in(officer)
    first = client.get(page_url(assessment, "I"))
    assert first.context is not None  # built from the template
    with CaptureQueriesContext(connection) as queries:
        second = client.get(page_url(assessment, "I"))
    assert second.context is None  # served as kept: no template rendered
    # The session, the user, the profile's language, the stamps and the navbar's two counts.
    assert len(queries) <= 6
    assert without_tokens(second.content.decode()) == without_tokens(first.content.decode())


def test_a_filter_is_a_page_of_its_own_and_junk_in_the_address_is_never_kept(assessment, officer):
    client = signed_in(officer)
    everything = page(client, assessment)
    unanswered = page(client, assessment, show="unanswered")
    assert without_tokens(everything) != without_tokens(unanswered)
    assert "I.1" in page(client, assessment, show="unanswered")
    response = client.get(page_url(assessment, "I"), {"show": "nonsense", "x": "1"})
    assert response.context is not None
    again = client.get(page_url(assessment, "I"), {"show": "nonsense", "x": "1"})
    assert again.context is not None  # built again: never kept


# --- every change shows at once ---------------------------------------------------


def test_a_colleagues_saved_answer_shows_on_my_kept_page(assessment, officer, organization):
    colleague = make_user("colin")
    Membership.objects.create(
        user=colleague, organization=organization, role=Membership.Role.OFFICER
    )
    client = signed_in(officer)
    page(client, assessment)
    code = "I.1"
    question = Question.objects.get(code=code)
    services.save_answers(
        assessment=assessment,
        inputs=[an_input(question.pk, "Colin's red-team plan, saved meanwhile.")],
        by=colleague,
    )
    assert "Colin&#x27;s red-team plan, saved meanwhile." in page(client, assessment)


def test_evidence_comments_and_their_resolution_show(submitted, officer, auditor):
    client = signed_in(officer)
    page(client, submitted)
    Evidence.objects.create(
        answer=answer(submitted, "I.1"), url="https://example.org/red-team-report", added_by=officer
    )
    assert "https://example.org/red-team-report" in page(client, submitted)
    comment = services.add_comment(
        assessment=submitted, answer=answer(submitted, "I.1"), text="Who tested?", by=auditor
    )
    assert "Who tested?" in page(client, submitted)
    services.resolve_comment(assessment=submitted, comment=comment, by=auditor)
    assert "Resolved by arthur" in page(client, submitted)


def test_bulk_review_marks_and_accepted_not_applicable_show(submitted, auditor):
    client = signed_in(auditor)
    assert "Reviewed</span>" not in page(client, submitted)
    services.mark_reviewed(assessment=submitted, by=auditor, numeral="I")  # one UPDATE
    assert "Reviewed</span>" in page(client, submitted)


def test_not_applicable_accepted_in_bulk_shows(assessment, officer, auditor):
    answer_everything(assessment, officer)
    first = answer(assessment, "I.1")
    services.save_answers(
        assessment=assessment,
        inputs=[
            an_input(
                first.question_id,
                "No model of ours is tested before release: we only deploy.",
                level=None,
                seen_version=first.version,
            )
        ],
        by=officer,
    )
    services.submit_assessment(assessment=assessment, by=officer)
    client = signed_in(auditor)
    assert "not accepted yet" in page(client, assessment)
    services.accept_not_applicable(assessment=assessment, by=auditor, codes=["I.1"])
    assert "accepted by arthur" in page(client, assessment)


def test_assignments_roles_submission_and_names_show(assessment, officer, organization):
    client = signed_in(officer)
    before = page(client, assessment)
    assign_work(assessment=assessment, assignee=officer, by=officer, numeral="I")
    assert "Assigned to olivia" in page(client, assessment)
    officer.username = "olivia.tanaka"
    officer.save()
    assert "Assigned to olivia.tanaka" in page(client, assessment)
    # Declaring one role less changes the questions and their weights.
    assessment.roles.set(LifecycleRole.objects.filter(code="development"))
    assert without_tokens(page(client, assessment)) != without_tokens(before)
    answer_everything(assessment, officer)
    services.submit_assessment(assessment=assessment, by=officer)
    assert 'name="I.1-response"' not in page(client, assessment)  # no longer editable


def test_a_catalogue_edit_shows(assessment, officer):
    client = signed_in(officer)
    page(client, assessment)
    question = Question.objects.get(code="I.1")
    question.text = "Reworded by the catalogue admin: how do you test before release?"
    question.save()
    assert "Reworded by the catalogue admin" in page(client, assessment)


def card_of(html: str, code: str, next_code: str) -> str:
    return html[html.index(f'id="h-{code}"') : html.index(f'id="h-{next_code}"')]


def test_a_crosswalk_change_shows(assessment, officer):
    mapping = CrosswalkMapping.objects.filter(question__code="I.1").select_related("requirement")[0]
    identifier = mapping.requirement.identifier
    client = signed_in(officer)
    assert identifier in card_of(page(client, assessment), "I.1", "I.2")
    mapping.delete()
    assert identifier not in card_of(page(client, assessment), "I.1", "I.2")


def test_the_bell_a_role_change_and_the_language_are_part_of_the_page(
    assessment, officer, organization
):
    client = signed_in(officer)
    page(client, assessment)
    Notification.objects.create(
        recipient=officer, kind=Kind.ASSIGNED, assessment=assessment, dedupe_key="test"
    )
    assert "Notifications: 1 unread" in page(client, assessment)
    Membership.objects.filter(user=officer).update(role=Membership.Role.AUDITOR)  # no signal
    assert 'name="I.1-response"' not in page(client, assessment)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert 'lang="ja"' in page(client, assessment)


def test_a_flash_message_is_shown_once_and_the_page_is_not_kept_with_it(assessment, officer):
    client = signed_in(officer)
    page(client, assessment)
    # Posting the page unchanged changes nothing but leaves a message for the next page.
    response = client.post(page_url(assessment, "I"), page_post_data(client, assessment, "I"))
    assert response.status_code == 302
    assert "Saved (0 answer(s) changed)." in page(client, assessment)
    assert "Saved (0 answer(s) changed)." not in page(client, assessment)


# --- who may see a kept page -----------------------------------------------------


def test_outsiders_and_removed_members_get_404_although_the_page_is_kept(
    assessment, officer, outsider
):
    page(signed_in(officer), assessment)
    assert signed_in(outsider).get(page_url(assessment, "I")).status_code == 404
    Membership.objects.filter(user=officer).delete()
    assert signed_in(officer).get(page_url(assessment, "I")).status_code == 404


def test_a_colleague_gets_a_page_of_their_own(assessment, officer, organization):
    colleague = make_user("colin")
    Membership.objects.create(
        user=colleague, organization=organization, role=Membership.Role.OFFICER
    )
    page(signed_in(officer), assessment)
    html = page(signed_in(colleague), assessment)
    assert ">colin</a>" in html and ">olivia</a>" not in html


def test_a_kept_page_carries_a_csrf_token_of_the_asking_session(assessment, officer):
    first = signed_in(officer, enforce_csrf_checks=True)
    first_token = TOKEN.search(page(first, assessment)).group(1)
    second = signed_in(officer, enforce_csrf_checks=True)
    response = second.get(page_url(assessment, "I"))
    assert response.context is None  # kept
    tokens = set(TOKEN.findall(response.content.decode()))
    assert len(tokens) == 1 and first_token not in tokens
    data = {"csrfmiddlewaretoken": tokens.pop()}
    saved = second.post(page_url(assessment, "I"), data)
    assert saved.status_code in (200, 302)  # not 403: the token works for this session


# --- the stamp -------------------------------------------------------------------


def test_a_copy_loaded_before_a_stamp_never_writes_the_old_token_back(assessment):
    stale = Assessment.objects.get(pk=assessment.pk)
    stamp_assessment_changed(assessment.pk)  # as the bulk writers do: an UPDATE
    stamped = Assessment.objects.get(pk=assessment.pk).change_token
    stale.title = "Renamed from an old copy"
    stale.save()
    assert Assessment.objects.get(pk=assessment.pk).change_token not in (stamped, "")
    assert stale.change_token == Assessment.objects.get(pk=assessment.pk).change_token


def test_one_stamp_per_transaction_again_after_a_rolled_back_savepoint(assessment):
    def token():
        return Assessment.objects.values_list("change_token", flat=True).get(pk=assessment.pk)

    with transaction.atomic():
        # A page read on this connection: stamps from before (the fixtures' own, in the
        # test's transaction) no longer count.
        page_read(connection)
        before = token()
        try:
            with transaction.atomic():
                stamp_assessment_changed(assessment.pk)
                inner = token()
                raise RuntimeError
        except RuntimeError:
            pass
        assert inner != before and token() == before  # rolled back with its savepoint
        with CaptureQueriesContext(connection) as queries:
            for _ in range(10):
                stamp_assessment_changed(assessment.pk)
        # Written again (its savepoint was rolled back), and once only.
        assert sum("UPDATE" in q["sql"] for q in queries.captured_queries) == 1
        assert token() not in (before, inner)


def test_a_page_save_of_ten_answers_stamps_at_most_twice(assessment, officer):
    questions = services.result_for(assessment).principle("I").questions
    inputs = [an_input(q.question.id, "Written for the stamp count.", level=2) for q in questions]
    with CaptureQueriesContext(connection) as queries:
        services.save_answers(assessment=assessment, inputs=inputs, by=officer)
    stamps = [
        q for q in queries.captured_queries if "UPDATE" in q["sql"] and "change_token" in q["sql"]
    ]
    assert len(inputs) >= 5 and 1 <= len(stamps) <= 2


def test_signing_in_does_not_stamp_but_a_new_name_does(assessment, officer):
    page_read(connection)  # as a page read in between: a new stamp is written
    token = Assessment.objects.get(pk=assessment.pk).change_token
    response = Client().post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).change_token == token
    page_read(connection)
    get_user_model().objects.filter(pk=officer.pk).first().save()
    assert Assessment.objects.get(pk=assessment.pk).change_token != token
