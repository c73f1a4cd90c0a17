"""The export_report and verify_report commands."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from assessments import services
from reports import signing, verification
from tests.reports.conftest import read_csv

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_writes_the_issued_pdf_and_json(fake_pdf, approved, tmp_path):
    report = approved.issued_report
    run("export_report", str(approved.pk), "--format", "pdf", "--output", str(tmp_path / "r.pdf"))
    run("export_report", str(approved.pk), "--format", "json", "--output", str(tmp_path / "r.json"))
    assert (tmp_path / "r.pdf").read_bytes() == bytes(report.pdf)
    assert (tmp_path / "r.json").read_bytes() == report.document_bytes


def test_export_writes_one_csv_row_per_applicable_question(fake_pdf, reviewed, tmp_path):
    output = run(
        "export_report", str(reviewed.pk), "--format", "csv", "--output", str(tmp_path / "r.csv")
    )
    metadata, rows = read_csv((tmp_path / "r.csv").read_bytes())
    assert metadata["report_id"] == reviewed.report_id
    assert len(rows) == services.result_for(reviewed).applicable
    assert "DRAFT" in output


def test_export_of_a_draft_json_says_draft(reviewed, tmp_path):
    run("export_report", str(reviewed.pk), "--format", "json", "--output", str(tmp_path / "d.json"))
    assert json.loads((tmp_path / "d.json").read_bytes())["draft"] is True


def test_export_of_an_unknown_assessment_fails_plainly(db, tmp_path):
    with pytest.raises(CommandError, match="No assessment with id 999"):
        run("export_report", "999", "--output", str(tmp_path / "x.pdf"))


def test_verify_report_exits_0_for_the_issued_pdf(fake_pdf, approved, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(bytes(approved.issued_report.pdf))
    output = run("verify_report", str(path))
    assert output.startswith("VALID")
    assert "The issued report, signed by this system and unchanged." in output


def test_verify_report_exits_1_for_a_changed_pdf(fake_pdf, approved, tmp_path):
    data = bytearray(approved.issued_report.pdf)
    data[200] ^= 0x01
    path = tmp_path / "r.pdf"
    path.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as exit_info:
        run("verify_report", str(path))
    assert exit_info.value.code == 1


def test_verify_report_of_a_missing_file_fails_plainly(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("verify_report", str(tmp_path / "missing.pdf"))


# --- the demo identity ---------------------------------------------------------------


def test_seed_demo_without_a_signing_certificate_stops_before_writing(settings):
    from assessments.models import Organization

    settings.REPORT_SIGNING_P12 = ""
    with pytest.raises(CommandError, match="no signing certificate is configured"):
        run("seed_demo")
    assert not Organization.objects.exists()


def test_seed_demo_creates_the_demo_identity_when_it_signs_with_it(
    fake_pdf, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REPORT_SIGNING_DEMO_DIR = tmp_path / "signing"
    settings.REPORT_SIGNING_P12 = str(tmp_path / "signing" / "demo-signer.p12")
    settings.REPORT_SIGNING_P12_PASSPHRASE = settings.REPORT_SIGNING_DEMO_PASSPHRASE
    with django_capture_on_commit_callbacks(execute=True):  # the issuing task
        output = run("seed_demo")
    assert "Demo signing identity created" in output
    from reports.models import IssuedReport

    (report,) = IssuedReport.objects.all()
    roots = signing.load_pem_certificates(tmp_path / "signing" / "demo-root-ca.pem")
    verdict = verification.verify_offline(bytes(report.pdf), roots)
    assert verdict.verified
