"""The report pages and exports: who may see them, and what they return."""

import json

import pytest
from django.urls import reverse

from reports.exports import canonical_json
from reports.pdf import report_context
from reports.services import report_document

pytestmark = pytest.mark.django_db

EXPORTS = ["report_preview", "report_pdf", "report_json", "report_csv"]


def urls(assessment):
    return {name: reverse(name, args=[assessment.pk]) for name in EXPORTS}


def test_member_gets_the_preview_with_the_report_and_its_download_links(client, reviewed, auditor):
    client.force_login(auditor)
    response = client.get(urls(reviewed)["report_preview"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Executive summary" in html
    assert "supports no conformance claim" in html
    for name in ("report_pdf", "report_json", "report_csv"):
        assert reverse(name, args=[reviewed.pk]) in html
    assert report_context(report_document(assessment=reviewed))["fingerprint"] in html


def test_member_downloads_a_draft_pdf_json_and_csv(
    fake_pdf, client, reviewed, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered by a task
        client.get(urls(reviewed)["report_pdf"])
    for name, content_type in (
        ("report_pdf", "application/pdf"),
        ("report_json", "application/json"),
        ("report_csv", "text/csv"),
    ):
        response = client.get(urls(reviewed)[name])
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith(content_type)
        assert "attachment" in response["Content-Disposition"]
        assert f"{reviewed.report_id}-DRAFT." in response["Content-Disposition"]


def test_an_approved_assessment_downloads_the_issued_pdf_and_json(
    fake_pdf, client, approved, officer
):
    client.force_login(officer)
    report = approved.issued_report
    pdf = client.get(urls(approved)["report_pdf"])
    assert pdf.content == bytes(report.pdf)
    assert f'filename="{report.report_id}.pdf"' in pdf["Content-Disposition"]
    assert client.get(urls(approved)["report_pdf"]).content == pdf.content
    exported = client.get(urls(approved)["report_json"]).content
    assert exported == report.document_bytes
    assert json.loads(exported)["draft"] is False


def test_the_approved_preview_shows_the_issued_document(fake_pdf, client, approved, officer):
    client.force_login(officer)
    response = client.get(urls(approved)["report_preview"])
    assert response.context["doc"] == json.loads(approved.issued_report.document_json)
    assert approved.issued_report.fingerprint in response.content.decode()


def test_draft_json_is_the_canonical_document(client, reviewed, officer):
    client.force_login(officer)
    response = client.get(urls(reviewed)["report_json"])
    assert response.content == canonical_json(report_document(assessment=reviewed))


def test_outsider_gets_404_on_every_export(fake_pdf, client, approved, outsider):
    client.force_login(outsider)
    for name, url in urls(approved).items():
        assert client.get(url).status_code == 404, name


def test_anonymous_users_are_sent_to_the_login_page(client, reviewed):
    for name, url in urls(reviewed).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login"))


def test_exports_refuse_post(client, reviewed, officer):
    client.force_login(officer)
    for name, url in urls(reviewed).items():
        assert client.post(url).status_code == 405, name


def test_preview_costs_a_fixed_number_of_queries(
    client, reviewed, auditor, django_assert_max_num_queries
):
    client.force_login(auditor)
    # Session, user, assessment, issued report, then the document's own reads:
    # none of them per question; three of them for the crosswalk appendix.
    with django_assert_max_num_queries(17):
        client.get(urls(reviewed)["report_preview"])
