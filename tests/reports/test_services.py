"""Issuing a report and verifying copies of it."""

import hashlib

import pytest

from assessments import services as assessment_services
from reports import services
from reports.models import IssuedReport, ReportImmutable

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


def test_the_issued_pdf_is_verified(fake_pdf, approved):
    verdict = services.verify_pdf(bytes(approved.issued_report.pdf))
    assert verdict.verified
    assert verdict.report == approved.issued_report
    assert "Example AI Labs" in verdict.message
    assert "Chat assistant 2026" in verdict.message
    assert "arthur" in verdict.message


def test_a_copy_with_one_byte_changed_or_cut_short_is_not_verified(fake_pdf, approved):
    data = bytearray(approved.issued_report.pdf)
    data[len(data) // 2] ^= 0x01
    for copy in (bytes(data), bytes(approved.issued_report.pdf)[:-1], b""):
        verdict = services.verify_pdf(copy)
        assert not verdict.verified
        assert verdict.report is None
        assert verdict.message.startswith("Not verified")


def test_a_pasted_fingerprint_is_verified_whatever_its_case_and_spacing(fake_pdf, approved):
    value = approved.issued_report.fingerprint
    pasted = f"  {value[:32].upper()}\n {value[32:]} "
    assert services.verify_fingerprint(pasted).verified


@pytest.mark.parametrize("text", ["", "not a fingerprint", "ab" * 31, "0" * 64, "g" * 64])
def test_anything_else_pasted_is_not_verified(fake_pdf, approved, text):
    verdict = services.verify_fingerprint(text)
    assert not verdict.verified
    assert verdict.message.startswith("Not verified")


def test_the_report_of_an_earlier_revision_stays_verified(fake_pdf, approved, officer):
    revision = assessment_services.start_revision(assessment=approved, by=officer)
    assert not IssuedReport.objects.filter(assessment=revision).exists()
    assert services.verify_pdf(bytes(approved.issued_report.pdf)).verified
