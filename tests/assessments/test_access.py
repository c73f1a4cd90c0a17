"""Membership and roles on every URL of an assessment."""

import pytest
from django.urls import reverse

from assessments.models import Evidence
from tests.assessments.helpers import page_post_data, page_url

pytestmark = pytest.mark.django_db


def assessment_urls(assessment, evidence_id=1):
    pk = assessment.pk
    return {
        "get": [
            reverse("assessment_detail", args=[pk]),
            reverse("assessment_edit", args=[pk]),
            reverse("assessment_history", args=[pk]),
            reverse("questionnaire", args=[pk, "I"]),
            reverse("evidence_download", args=[pk, evidence_id]),
            reverse("assessment_submit", args=[pk]),
            reverse("open_comments", args=[pk]),
            reverse("assessment_changes", args=[pk]),
        ],
        "post": [
            reverse("assessment_edit", args=[pk]),
            reverse("questionnaire", args=[pk, "I"]),
            reverse("assessment_submit", args=[pk]),
            reverse("assessment_approve", args=[pk]),
            reverse("assessment_return", args=[pk]),
            reverse("assessment_revise", args=[pk]),
            reverse("comment_add", args=[pk, "I.1"]),
            reverse("not_applicable_accept", args=[pk, "I.1"]),
            reverse("principle_not_applicable_accept", args=[pk, "I"]),
            reverse("comments_post", args=[pk, "I"]),
        ],
    }


def test_anonymous_users_are_sent_to_the_login_page(client, assessment):
    for method, urls in assessment_urls(assessment).items():
        for url in urls:
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
    response = client.get(reverse("dashboard"))
    assert response.url.startswith(reverse("login"))


def test_outsider_gets_404_on_every_url_of_the_assessment(client, submitted, outsider):
    evidence = Evidence.objects.filter(answer__assessment=submitted).first()
    client.force_login(outsider)
    urls = assessment_urls(submitted, evidence.pk if evidence else 1)
    for method, group in urls.items():
        for url in group:
            assert getattr(client, method)(url).status_code == 404, (method, url)


def test_outsider_does_not_see_the_assessment_on_the_dashboard(client, assessment, outsider):
    client.force_login(outsider)
    response = client.get(reverse("dashboard"))
    assert assessment.title not in response.content.decode()


def test_officer_cannot_approve_or_return(client, submitted, officer):
    client.force_login(officer)
    for name in ("assessment_approve", "assessment_return"):
        response = client.post(reverse(name, args=[submitted.pk]), {"comment": "ok"})
        assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_auditor_cannot_change_answers(client, assessment, auditor, officer):
    client.force_login(officer)
    data = page_post_data(client, assessment, "I")
    code = next(k for k in data if k.endswith("-version")).split("-")[0]
    data[f"{code}-response"] = "2"
    client.force_login(auditor)
    response = client.post(page_url(assessment, "I"), data)
    assert response.status_code == 403
    assert not assessment.answers.exists()
    assert client.post(reverse("assessment_submit", args=[assessment.pk])).status_code == 403
    edit = client.post(reverse("assessment_edit", args=[assessment.pk]), {"title": "x"})
    assert edit.status_code == 403


def test_auditor_cannot_start_an_assessment(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("assessment_create")).status_code == 403


@pytest.mark.parametrize("name", ["assessment_approve", "assessment_return", "assessment_revise"])
def test_get_on_a_post_only_action_is_refused(client, assessment, officer, name):
    client.force_login(officer)
    assert client.get(reverse(name, args=[assessment.pk])).status_code == 405


def test_get_on_comment_action_is_refused(client, submitted, auditor):
    client.force_login(auditor)
    assert client.get(reverse("comment_add", args=[submitted.pk, "I.1"])).status_code == 405


def test_csrf_is_enforced_on_state_changes(assessment, officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(reverse("assessment_submit", args=[assessment.pk]))
    assert response.status_code == 403
