"""verify_report --offline: the signature and the embedded data, without the server's
database. These tests have no database access at all (no django_db mark), so any query
would fail them."""

import io

import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from reports import signing
from reports.exports import fingerprint
from tests import pki
from tests.reports.conftest import fake_render


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


DOC = {
    "report_id": "HAIP-EXAMPLE-00001-R1",
    "organization": {"name": "Example AI Labs"},
    "assessment": {"title": "Chat assistant 2026", "revision": 1},
    "overall": {"score": 71.3, "band": {"key": "largely", "label": "Largely conformant"}},
    "principles": [
        {"numeral": "I", "title": "Risk", "score": 80.0, "band": {"label": "Largely conformant"}}
    ],
    "workflow": {"approved_at": "2026-03-01T10:00:00+00:00", "approved_by": "arthur"},
}


def signed_report(tmp_path, doc=DOC, identity=None):
    unsigned = fake_render(doc)
    if identity is None:
        data = signing.sign_pdf(unsigned)
    else:
        with override_settings(REPORT_SIGNING_P12=str(identity.p12)):
            data = signing.sign_pdf(unsigned)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return path


def test_offline_verify_report_needs_only_the_file_and_the_issuer_certificate(
    tmp_path, signing_identity
):
    path = signed_report(tmp_path)
    output = run("verify_report", str(path), "--offline", "--trust", str(signing_identity.root_pem))
    assert output.startswith("VALID")
    assert "its signature is valid and covers the whole file" in output
    assert f"Fingerprint (SHA-256 of the signed report.json): {fingerprint(DOC)}" in output
    assert "HAIP-EXAMPLE-00001-R1, Example AI Labs" in output
    assert "Overall: 71.3, Largely conformant" in output
    assert "I. Risk: 80.0" in output
    assert "by arthur" in output


def test_offline_verify_report_trusts_the_signing_certificate_itself(tmp_path, signing_identity):
    path = signed_report(tmp_path)
    output = run(
        "verify_report", str(path), "--offline", "--trust", str(signing_identity.signer_pem)
    )
    assert output.startswith("VALID")


def test_offline_verify_report_refuses_another_issuer(tmp_path, signing_identity):
    stranger = pki.make_identity(tmp_path / "stranger", "Mallory Certificates")
    path = signed_report(tmp_path, identity=stranger)
    with pytest.raises(SystemExit) as exit_info:
        run("verify_report", str(path), "--offline", "--trust", str(signing_identity.root_pem))
    assert exit_info.value.code == 1


def test_offline_verify_report_refuses_a_resaved_or_changed_copy(tmp_path, signing_identity):
    path = signed_report(tmp_path)
    writer = pypdf.PdfWriter(clone_from=str(path))
    copy = tmp_path / "resaved.pdf"
    with copy.open("wb") as out:
        writer.write(out)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "verify_report",
            str(copy),
            "--offline",
            "--trust",
            str(signing_identity.root_pem),
            stdout=out,
        )
    assert out.getvalue().startswith("NOT VALID")
    assert "does not match its bytes" in out.getvalue()


def test_offline_verify_report_refuses_an_unsigned_file(tmp_path, signing_identity):
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(fake_render(DOC))
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "verify_report",
            str(path),
            "--offline",
            "--trust",
            str(signing_identity.root_pem),
            stdout=out,
        )
    assert "the file carries no digital signature" in out.getvalue()


def test_offline_verify_report_says_when_the_certificate_cannot_be_read(tmp_path):
    path = signed_report(tmp_path)
    with pytest.raises(CommandError, match="Cannot read the certificate"):
        run("verify_report", str(path), "--offline", "--trust", str(tmp_path / "none.pem"))


def test_demo_identity_is_created_once_and_signs_verifiable_reports(tmp_path, settings):
    folder = tmp_path / "signing"
    output = run("create_demo_signing_identity", "--dir", str(folder))
    assert "Demo signing identity created" in output
    p12 = (folder / "demo-signer.p12").read_bytes()
    assert "already present" in run("create_demo_signing_identity", "--dir", str(folder))
    assert (folder / "demo-signer.p12").read_bytes() == p12
    settings.REPORT_SIGNING_P12 = str(folder / "demo-signer.p12")
    settings.REPORT_SIGNING_P12_PASSPHRASE = settings.REPORT_SIGNING_DEMO_PASSPHRASE
    path = signed_report(tmp_path)
    output = run(
        "verify_report", str(path), "--offline", "--trust", str(folder / "demo-root-ca.pem")
    )
    assert output.startswith("VALID")
    assert "report signing (demo)" in output
