"""Review of the kept questionnaire pages (``assessments/page_cache.py``): changes the
first tests did not cover, and who gets which page (concurrent writers on PostgreSQL:
``test_page_cache_locks.py``)."""

import pytest
from django.utils import timezone

from assessments import services, views
from assessments.assignments import assign_work
from assessments.models import Answer, Membership
from members import services as member_services
from notifications.models import Kind, Notification
from tests.assessments.helpers import page_post_data, page_url
from tests.assessments.test_page_cache import page, signed_in
from tests.conftest import answer_everything, make_user

pytestmark = pytest.mark.django_db


def answer(assessment, code):
    return Answer.objects.get(assessment=assessment, question__code=code)


# --- people named on a page who are no longer members ------------------------------


def test_a_former_auditors_new_name_shows_on_their_comments(submitted, officer, auditor):
    services.add_comment(
        assessment=submitted, answer=answer(submitted, "I.1"), text="Who tested?", by=auditor
    )
    Membership.objects.get(user=auditor).delete()  # the auditor leaves the organization
    client = signed_in(officer)
    assert "<strong>arthur</strong>" in page(client, submitted)
    auditor.username = "arthur.former"
    auditor.save()
    assert "<strong>arthur.former</strong>" in page(client, submitted)


def test_a_former_officers_new_name_shows_on_their_answers_and_assignments(
    assessment, officer, auditor
):
    assign_work(assessment=assessment, assignee=officer, by=officer, numeral="I")
    answer_everything(assessment, officer)
    services.submit_assessment(assessment=assessment, by=officer)
    Membership.objects.get(user=officer).delete()
    client = signed_in(auditor)
    html = page(client, assessment)
    assert "Last changed by olivia on" in html and "Assigned to olivia" in html
    officer.username = "olivia.former"
    officer.save()
    html = page(client, assessment)
    assert "Last changed by olivia.former on" in html and "Assigned to olivia.former" in html


# --- the navbar's values --------------------------------------------------------------


def test_a_notification_arriving_while_the_page_is_built_does_not_stick_to_it(
    assessment, officer, monkeypatch
):
    real_build_page = views.build_page

    def build_page_meanwhile_notified(**kwargs):
        # Someone assigns the officer work while their page is being built.
        Notification.objects.get_or_create(
            recipient=officer, kind=Kind.ASSIGNED, assessment=assessment, dedupe_key="meanwhile"
        )
        return real_build_page(**kwargs)

    monkeypatch.setattr(views, "build_page", build_page_meanwhile_notified)
    client = signed_in(officer)
    page(client, assessment)
    monkeypatch.setattr(views, "build_page", real_build_page)
    assert "Notifications: 1 unread" in page(client, assessment)
    Notification.objects.filter(recipient=officer).update(read_at=timezone.now())  # read it
    assert "Notifications: 0 unread" in page(client, assessment)


# --- who gets which page ------------------------------------------------------------


def test_a_page_with_form_errors_is_never_kept(assessment, officer):
    client = signed_in(officer)
    page(client, assessment)
    data = page_post_data(client, assessment, "I")
    data["I.1-response"] = "4"  # level 4 without evidence: refused
    data["I.1-explanation"] = "Fully done."
    response = client.post(page_url(assessment, "I"), data)
    assert response.status_code == 200 and 'id="error-summary"' in response.content.decode()
    assert 'id="error-summary"' not in page(client, assessment)


def test_staff_outside_the_organization_and_a_changed_role_get_their_own_page(
    assessment, officer, auditor, organization
):
    page(signed_in(officer), assessment)
    staff = make_user("sally", is_staff=True, is_superuser=True)
    assert signed_in(staff).get(page_url(assessment, "I")).status_code == 404
    client = signed_in(auditor)
    assert 'name="I.1-response"' not in page(client, assessment)
    owner = make_user("owen")
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    member_services.change_role(
        membership=Membership.objects.get(user=auditor), role=Membership.Role.OFFICER, by=owner
    )
    html = page(client, assessment)
    assert 'name="I.1-response"' in html and ">arthur</a>" in html and ">olivia</a>" not in html
