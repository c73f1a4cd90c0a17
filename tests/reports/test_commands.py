"""The export_report and verify_report commands."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from assessments import services
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
    assert "Verified" in run("verify_report", str(path))


def test_verify_report_exits_1_for_a_changed_pdf(fake_pdf, approved, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(bytes(approved.issued_report.pdf) + b"\n")
    with pytest.raises(SystemExit) as exit_info:
        run("verify_report", str(path))
    assert exit_info.value.code == 1


def test_verify_report_of_a_missing_file_fails_plainly(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("verify_report", str(tmp_path / "missing.pdf"))
