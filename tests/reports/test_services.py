"""Issuing a report and verifying copies of it."""

import hashlib

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from reports import services, signing
from reports.checks import signing_identity_check
from reports.models import IssuedReport, ReportImmutable
from reports.verification import SIG_VALID, check_signature
from tests.assessments.test_review_rules import OPINION_POST
from tests.conftest import an_opinion
from tests.reports.conftest import fake_render

pytestmark = pytest.mark.django_db


def test_approving_issues_the_report_with_its_fingerprint(fake_pdf, approved):
    report = approved.issued_report
    assert report.report_id == approved.report_id
    assert report.fingerprint == hashlib.sha256(report.document_bytes).hexdigest()
    assert report.pdf_sha256 == hashlib.sha256(bytes(report.pdf)).hexdigest()


def test_issuing_again_returns_the_stored_report_unchanged(fake_pdf, approved, monkeypatch):
    first = approved.issued_report
    monkeypatch.setattr("reports.pdf.render_report_pdf", lambda doc: b"different bytes")
    again = services.issue_report(assessment=approved)
    assert again.pk == first.pk
    assert bytes(again.pdf) == bytes(first.pdf)
    assert IssuedReport.objects.count() == 1


def test_a_draft_or_submitted_assessment_gets_no_issued_report(fake_pdf, reviewed):
    with pytest.raises(services.NotApproved):
        services.issue_report(assessment=reviewed)
    assert not IssuedReport.objects.exists()


def test_an_issued_report_cannot_be_changed(fake_pdf, approved):
    report = approved.issued_report
    report.pdf = b"forged"
    with pytest.raises(ReportImmutable):
        report.save()
    report.refresh_from_db()
    assert bytes(report.pdf) != b"forged"


def test_the_issued_pdf_is_the_rendering_with_a_signature_appended(fake_pdf, approved):
    report = approved.issued_report
    unsigned = fake_render(services.report_document(assessment=approved))
    assert report.unsigned_pdf_sha256 == hashlib.sha256(unsigned).hexdigest()
    assert bytes(report.pdf).startswith(unsigned)
    check = check_signature(bytes(report.pdf), signing.trust_roots())
    assert check.state == SIG_VALID
    assert "Test issuer signing" in check.signer


def test_without_a_signing_certificate_approval_refuses_and_changes_nothing(
    fake_pdf, submitted, auditor, settings
):
    settings.REPORT_SIGNING_P12 = ""
    with pytest.raises(signing.SigningNotConfigured, match="REPORT_SIGNING_P12"):
        assessment_services.approve_assessment(
            assessment=submitted, by=auditor, opinion=an_opinion()
        )
    submitted.refresh_from_db()
    assert not submitted.is_locked
    assert not IssuedReport.objects.exists()


def test_a_wrong_passphrase_or_missing_file_is_said_plainly(fake_pdf, tmp_path, settings):
    settings.REPORT_SIGNING_P12_PASSPHRASE = "wrong"
    with pytest.raises(signing.SigningNotConfigured, match="cannot be opened"):
        signing.sign_pdf(fake_render({"report_id": "X"}))
    settings.REPORT_SIGNING_P12 = str(tmp_path / "missing.p12")
    with pytest.raises(signing.SigningNotConfigured, match="does not exist"):
        signing.sign_pdf(fake_render({"report_id": "X"}))


def test_approve_page_shows_why_when_signing_is_not_configured(
    fake_pdf, client, submitted, auditor, settings
):
    settings.REPORT_SIGNING_P12 = ""
    client.force_login(auditor)
    response = client.post(
        reverse("assessment_approve", args=[submitted.pk]), OPINION_POST, follow=True
    )
    assert "no signing certificate is configured" in response.content.decode()
    submitted.refresh_from_db()
    assert not submitted.is_locked


def test_deploy_check_reports_missing_signing_configuration(settings):
    settings.REPORT_SIGNING_P12 = ""
    assert [e.id for e in signing_identity_check(None)] == ["reports.E001"]


def test_deploy_check_passes_with_a_usable_certificate():
    assert signing_identity_check(None) == []


def test_signing_and_checking_work_where_an_event_loop_is_running(fake_pdf):
    """As under an ASGI server or Playwright's synchronous API (the browser tests)."""
    import asyncio

    async def inside_a_loop():
        signed = signing.sign_pdf(fake_render({"report_id": "X"}))
        return check_signature(signed, signing.trust_roots())

    assert asyncio.run(inside_a_loop()).state == SIG_VALID
