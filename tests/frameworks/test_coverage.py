"""Crosswalks seen by users: coverage pages, questionnaire chips, the report appendix."""

import pytest
from django.urls import reverse

from reports.document import build_report
from tests.reports.conftest import answer_with_a_mix, assert_valid_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(assessment, officer):
    answer_with_a_mix(assessment, officer)
    return assessment


def test_the_coverage_page_lists_every_requirement_with_the_answers_mapped_to_it(
    client, answered, auditor
):
    client.force_login(auditor)
    response = client.get(reverse("framework_index", args=[answered.pk]), follow=True)
    html = response.content.decode()
    assert "Coverage of EU AI Act" in html
    assert "Art. 4" in html and "XII.1:" in html
    nist = client.get(reverse("framework_coverage", args=[answered.pk, "nist-ai-rmf"]))
    html = nist.content.decode()
    assert "GOVERN 1.1" in html and "MANAGE 4.3" in html
    assert "Nothing mapped" in html  # e.g. MAP 1.2


def test_coverage_pages_are_for_members_only(client, answered, outsider):
    client.force_login(outsider)
    url = reverse("framework_coverage", args=[answered.pk, "nist-ai-rmf"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("framework_index", args=[answered.pk])).status_code == 404


def test_an_unknown_framework_is_404(client, answered, officer):
    client.force_login(officer)
    url = reverse("framework_coverage", args=[answered.pk, "nope"])
    assert client.get(url).status_code == 404


def test_the_questionnaire_shows_the_requirements_each_question_supports(client, answered, officer):
    client.force_login(officer)
    html = client.get(reverse("questionnaire", args=[answered.pk, "XII"])).content.decode()
    card = html.split('id="q-XII.1"')[1].split("</section>")[0]
    assert "EU AI Act Art. 4" in card and "NIST AI RMF 1.0 GOVERN 2.2" in card


def test_the_report_appendix_lists_mapped_requirements_for_the_demo_assessment(
    client, answered, officer
):
    doc = build_report(assessment=answered)
    assert_valid_report(doc)
    client.force_login(officer)
    html = client.get(reverse("report_preview", args=[answered.pk])).content.decode()
    appendix = html.split('id="frameworks"')[1]
    assert "Appendix: other frameworks" in appendix
    assert appendix.count("<table") == 3  # one table per framework
    assert "GOVERN 1.6" in appendix and "V.6: " in appendix
    assert "A.10.3" in appendix and "Art. 50" in appendix


def test_the_demo_assessments_report_appendix_lists_its_mapped_requirements(client):
    from django.core.management import call_command

    from assessments.models import Organization

    call_command("seed_demo", verbosity=0)
    approved = Organization.objects.get(slug="aurora").assessments.get(status="approved")
    frameworks = {f["code"]: f for f in build_report(assessment=approved)["frameworks"]}
    nist = {r["id"]: r for r in frameworks["nist-ai-rmf"]["requirements"]}
    assert [a["question"] for a in nist["GOVERN 1.6"]["answers"]] == ["V.6"]
    assert frameworks["nist-ai-rmf"]["supported"] > 30
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="officer"))
    html = client.get(reverse("report_preview", args=[approved.pk])).content.decode()
    assert "GOVERN 1.6" in html.split('id="frameworks"')[1]
