"""Assignments: the services' rules, the assignments page, the questionnaire's chips
and "My work"."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import assignments as work
from assessments import services
from assessments.models import Assignment, Membership
from assessments.page_cache import forget_pages
from tests.assessments.helpers import page_url
from tests.conftest import answer_everything, make_org, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
MY_WORK_QUERIES = 9


@pytest.fixture
def colleague(organization):
    user = make_user("carla")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OFFICER)
    return user


def assign(assessment, officer, assignee, **target):
    return work.assign_work(assessment=assessment, assignee=assignee, by=officer, **target)


# --- services -----------------------------------------------------------------


def test_officer_assigns_a_principle_and_a_question(assessment, officer, colleague):
    due = TODAY() + timedelta(days=10)
    principle = assign(assessment, officer, colleague, numeral="VI", due_date=due)
    question = assign(assessment, officer, officer, question_code="I.1")
    assert (principle.target, principle.assignee, principle.due_date) == ("VI", colleague, due)
    assert (question.target, question.principle_numeral) == ("I.1", "I")
    assert Assignment.objects.filter(assessment=assessment).count() == 2


def test_assigning_again_reassigns(assessment, officer, colleague):
    first = assign(assessment, officer, officer, numeral="VI")
    again = assign(assessment, officer, colleague, numeral="VI")
    assert again.pk == first.pk and again.assignee == colleague
    assert Assignment.objects.count() == 1


@pytest.mark.parametrize(
    "target, message",
    [
        ({"numeral": "XIII"}, "There is no principle XIII."),
        ({"question_code": "I.99"}, "There is no question I.99."),
        ({"numeral": "I", "question_code": "I.1"}, "either a principle or a single question"),
        ({}, "either a principle or a single question"),
    ],
)
def test_targets_outside_the_catalogue_are_refused(assessment, officer, target, message):
    with pytest.raises(services.WorkflowError, match=message):
        assign(assessment, officer, officer, **target)
    assert not Assignment.objects.exists()


def test_only_officers_of_the_organization_can_be_assignees(assessment, officer, auditor, outsider):
    for user in (auditor, outsider):
        with pytest.raises(services.WorkflowError, match="not an officer of this organization"):
            assign(assessment, officer, user, numeral="I")
    assert not Assignment.objects.exists()


def test_auditors_and_outsiders_cannot_assign(assessment, officer, auditor, outsider):
    for user in (auditor, outsider):
        with pytest.raises(PermissionDenied):
            work.assign_work(assessment=assessment, assignee=officer, by=user, numeral="I")


def test_nothing_is_assigned_on_a_submitted_assessment(submitted, officer):
    with pytest.raises(services.WorkflowError, match="only while the assessment is a draft"):
        assign(submitted, officer, officer, numeral="I")
    with pytest.raises(services.WorkflowError):
        work.set_due_date(assessment=submitted, due_date=None, by=officer)


def test_due_dates_in_the_past_are_refused(assessment, officer):
    yesterday = TODAY() - timedelta(days=1)
    with pytest.raises(services.WorkflowError, match="in the past"):
        assign(assessment, officer, officer, numeral="I", due_date=yesterday)
    with pytest.raises(services.WorkflowError, match="in the past"):
        work.set_due_date(assessment=assessment, due_date=yesterday, by=officer)


def test_the_assessment_due_date_applies_when_the_assignment_has_none(assessment, officer):
    due = TODAY() + timedelta(days=20)
    work.set_due_date(assessment=assessment, due_date=due, by=officer)
    assessment.refresh_from_db()
    assignment = assign(assessment, officer, officer, numeral="II")
    assert assessment.due_date == due and assignment.effective_due_date == due


# --- the assignments page -------------------------------------------------------


def test_officer_assigns_from_the_page(client, assessment, officer, colleague):
    client.force_login(officer)
    url = reverse("assignments", args=[assessment.pk])
    assert client.get(url).status_code == 200
    due = (TODAY() + timedelta(days=7)).isoformat()
    response = client.post(url, {"target": "p:VI", "assignee": colleague.pk, "due_date": due})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Principle VI" in page and "carla" in page and due in page


def test_page_refuses_a_target_not_in_the_catalogue(client, assessment, officer):
    client.force_login(officer)
    url = reverse("assignments", args=[assessment.pk])
    response = client.post(url, {"target": "q:I.99", "assignee": officer.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Assignment.objects.exists()


def test_reassign_and_remove_from_the_page(client, assessment, officer, colleague):
    assignment = assign(assessment, officer, officer, question_code="I.2")
    client.force_login(officer)
    prefix = f"a{assignment.pk}"
    client.post(
        reverse("assignment_reassign", args=[assessment.pk, assignment.pk]),
        {f"{prefix}-assignee": colleague.pk, f"{prefix}-due_date": ""},
    )
    assignment.refresh_from_db()
    assert assignment.assignee == colleague
    client.post(reverse("assignment_remove", args=[assessment.pk, assignment.pk]))
    assert not Assignment.objects.exists()


def test_due_date_of_the_assessment_from_the_page(client, assessment, officer):
    client.force_login(officer)
    due = TODAY() + timedelta(days=30)
    client.post(reverse("assessment_due_date", args=[assessment.pk]), {"assessment-due_date": due})
    assessment.refresh_from_db()
    assert assessment.due_date == due
    response = client.get(reverse("assessment_detail", args=[assessment.pk]))
    assert due.isoformat() in response.content.decode()


def test_outsider_gets_404_and_auditor_403(client, assessment, officer, auditor, outsider):
    assignment = assign(assessment, officer, officer, numeral="I")
    posts = [
        (reverse("assignments", args=[assessment.pk]), {"target": "p:II", "assignee": officer.pk}),
        (reverse("assignment_remove", args=[assessment.pk, assignment.pk]), {}),
        (reverse("assignment_reassign", args=[assessment.pk, assignment.pk]), {}),
        (reverse("assessment_due_date", args=[assessment.pk]), {"assessment-due_date": ""}),
    ]
    client.force_login(outsider)
    assert client.get(reverse("assignments", args=[assessment.pk])).status_code == 404
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    client.force_login(auditor)
    page = client.get(reverse("assignments", args=[assessment.pk]))
    assert page.status_code == 200 and 'name="target"' not in page.content.decode()
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert Assignment.objects.get().numeral == "I"


def test_assignment_posts_need_the_csrf_token(assessment, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    url = reverse("assignments", args=[assessment.pk])
    assert client.post(url, {"target": "p:I", "assignee": officer.pk}).status_code == 403
    assert not Assignment.objects.exists()


def test_removing_another_assessments_assignment_is_404(client, assessment, officer):
    other = services.create_assessment(
        organization=assessment.organization, title="Other", scope="s", by=officer
    )
    assignment = assign(other, officer, officer, numeral="I")
    client.force_login(officer)
    url = reverse("assignment_remove", args=[assessment.pk, assignment.pk])
    assert client.post(url).status_code == 302  # "removed already": nothing of the other
    assert Assignment.objects.filter(pk=assignment.pk).exists()


# --- the questionnaire shows who answers what -------------------------------------


def test_questionnaire_shows_assignees(client, assessment, officer, colleague):
    assign(assessment, officer, colleague, numeral="I")
    assign(assessment, officer, officer, question_code="I.2")
    client.force_login(officer)
    response = client.get(page_url(assessment, "I"))
    page = response.context["page"]
    assert page.assignment.assignee == colleague
    rows = {row.question.code: row for row in page.rows}
    assert rows["I.2"].assignment.assignee == officer
    assert rows["I.1"].assignment.assignee == colleague  # the principle's
    content = response.content.decode()
    assert "Assigned to carla" in content and "Assigned to olivia" in content


def test_questionnaire_query_count_does_not_grow_with_assignments(
    client, assessment, officer, colleague, django_assert_num_queries
):
    client.force_login(officer)
    client.get(page_url(assessment, "I"))  # warm the catalogue cache, as the pin test does
    forget_pages()  # the page built, not served as kept
    with CaptureQueriesContext(connection) as before:
        client.get(page_url(assessment, "I"))
    for code in [q.question.code for q in services.result_for(assessment).principle("I").questions]:
        assign(assessment, officer, colleague, question_code=code)
    assign(assessment, officer, officer, numeral="I")
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(page_url(assessment, "I"))
    assert response.context is not None  # built (the assignments changed the page)


# --- My work ----------------------------------------------------------------------


def test_my_work_lists_overdue_first_then_by_due_date(client, assessment, officer, colleague):
    soon, later = TODAY() + timedelta(days=2), TODAY() + timedelta(days=9)
    assign(assessment, officer, colleague, numeral="III", due_date=later)
    assign(assessment, officer, colleague, numeral="II")
    assign(assessment, officer, colleague, question_code="I.1", due_date=soon)
    overdue = assign(assessment, officer, colleague, numeral="V", due_date=soon)
    Assignment.objects.filter(pk=overdue.pk).update(due_date=TODAY() - timedelta(days=1))
    assign(assessment, officer, officer, numeral="IV")  # somebody else's
    client.force_login(colleague)
    response = client.get(reverse("my_work"))
    items = response.context["items"]
    assert [item.assignment.target for item in items] == ["V", "I.1", "III", "II"]
    assert items[0].overdue and not items[1].overdue
    content = response.content.decode()
    assert reverse("questionnaire", args=[assessment.pk, "I"]) + "#q-I.1" in content
    assert "Overdue" in content


def test_my_work_shows_progress(client, assessment, officer, colleague):
    assign(assessment, officer, colleague, numeral="I")
    answer_everything(assessment, officer)
    client.force_login(colleague)
    [item] = client.get(reverse("my_work")).context["items"]
    assert item.done and item.answered == item.total > 0


def test_my_work_lists_submitted_assessments_for_their_auditors(
    client, submitted, auditor, officer, outsider
):
    client.force_login(auditor)
    assert list(client.get(reverse("my_work")).context["reviews"]) == [submitted]
    for user in (officer, outsider):
        client.force_login(user)
        assert list(client.get(reverse("my_work")).context["reviews"]) == []


def test_my_work_hides_work_in_organizations_one_has_left(client, assessment, officer, colleague):
    assign(assessment, officer, colleague, numeral="I")
    Membership.objects.filter(user=colleague).delete()
    client.force_login(colleague)
    assert client.get(reverse("my_work")).context["items"] == []


def test_my_work_query_count_is_constant(client, officer, django_assert_num_queries):
    """Pinned: session, user, assignments, their roles, answers, the live catalogue
    (5, with the OECD sections its questions feed), awaiting review, the members
    app's navbar query, the bell's count."""
    orgs = [make_org(f"Org {i}", f"org{i}") for i in range(3)]

    def build(count):
        for org in orgs:
            Membership.objects.get_or_create(
                user=officer, organization=org, defaults={"role": Membership.Role.OFFICER}
            )
            for index in range(count):
                a = services.create_assessment(
                    organization=org, title=f"{org.slug}-{index}", scope="s", by=officer
                )
                for numeral in ("I", "II"):
                    assign(a, officer, officer, numeral=numeral)
                assign(a, officer, officer, question_code="III.1")

    client.force_login(officer)
    build(1)
    client.get(reverse("my_work"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("my_work"))
    build(3)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("my_work"))
    assert len(response.context["items"]) == 3 * 4 * 3
    assert len(small.captured_queries) == MY_WORK_QUERIES


def test_owners_assign_but_are_not_given_work(assessment, officer, organization):
    # "owner" is the members work's role (Membership.Role.OWNER); the value is enough here.
    owner = make_user("owen")
    Membership.objects.create(user=owner, organization=organization, role="owner")
    done = work.assign_work(assessment=assessment, assignee=officer, by=owner, numeral="I")
    assert done.assigned_by == owner
    with pytest.raises(services.WorkflowError, match="not an officer"):
        work.assign_work(assessment=assessment, assignee=owner, by=officer, numeral="II")
    assert list(work.assignable_members(organization.pk)) == [officer]


def test_assigned_to_me_filter_reads_the_rows_assignment(client, assessment, officer, colleague):
    assign(assessment, officer, colleague, numeral="I")
    assign(assessment, officer, officer, question_code="I.2")
    client.force_login(officer)
    rows = client.get(page_url(assessment, "I")).context["page"].rows
    mine = [row.question.code for row in rows if work.row_is_assigned_to(row, officer.pk)]
    assert mine == ["I.2"]
