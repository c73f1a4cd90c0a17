"""The verify page: public, throttled; a file's signature and data, or a fingerprint.

The PDF is the small stand-in render (``fake_pdf``), signed for real by the test
identity; the real report's signature is tested in test_signing.py.
"""

import hashlib
import io
import json

import pypdf
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from reports import services, signing, verification
from tests import pki
from tests.reports.conftest import fake_render

pytestmark = pytest.mark.django_db

URL = reverse("report_verify")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def upload(data: bytes, name="report.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def issued_doc(approved) -> dict:
    return json.loads(approved.issued_report.document_json)


def resaved(data: bytes) -> bytes:
    """What a document system does: open and save again (same pages, same attachment)."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(data))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def stranger(tmp_path):
    return pki.make_identity(tmp_path / "stranger", "Mallory Certificates")


def signed_by(identity, pdf: bytes) -> bytes:
    with override_settings(REPORT_SIGNING_P12=str(identity.p12)):
        return signing.sign_pdf(pdf)


def better_scores(doc: dict) -> dict:
    forged = json.loads(json.dumps(doc))
    forged["overall"]["score"] = 88.6
    forged["overall"]["band"] = {"key": "conformant", "label": "Conformant"}
    for p in forged["principles"]:
        p["score"] = 88.6
    return forged


# --- anyone can verify ------------------------------------------------------------


def test_anonymous_visitor_sees_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html
    assert "fingerprint" in html
    assert "verify_report" in html  # how to check offline


def test_anonymous_visitor_verifies_the_issued_pdf(fake_pdf, client, approved):
    response = client.post(URL, {"pdf": upload(bytes(approved.issued_report.pdf))})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 class="h5">Verified</h2>' in html
    assert "The issued report, signed by this system and unchanged." in html
    assert "its signature is valid and covers the whole file" in html
    assert "Test issuer signing" in html
    assert "Example AI Labs" in html


def test_anonymous_visitor_verifies_by_fingerprint_from_the_qr_code(fake_pdf, client, approved):
    report = approved.issued_report
    response = client.get(URL, {"fingerprint": report.fingerprint})
    assert response.status_code == 200
    html = response.content.decode()
    doc = issued_doc(approved)
    assert f"report {report.report_id}, issued by this system" in html
    assert "Example AI Labs" in html
    assert "Chat assistant 2026" in html
    assert f"{doc['overall']['score']:.1f}" in html
    assert doc["overall"]["band"]["label"] in html
    for p in doc["principles"]:
        assert escape(f"{p['numeral']}. {p['title']}") in html
    assert "arthur" in html  # approved by
    assert reverse("report_issued_pdf", args=[report.fingerprint]) in html


def test_the_issued_pdf_downloads_by_fingerprint_without_an_account(fake_pdf, client, approved):
    report = approved.issued_report
    response = client.get(reverse("report_issued_pdf", args=[report.fingerprint]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(report.pdf)
    assert client.get(reverse("report_issued_pdf", args=["ab" * 32])).status_code == 404


def test_an_unknown_fingerprint_says_unknown_and_nothing_more(fake_pdf, client, approved):
    response = client.post(URL, {"fingerprint": "ab" * 32})
    html = response.content.decode()
    assert "Unknown fingerprint." in html
    assert approved.issued_report.report_id not in html
    assert "Example AI Labs" not in html


def test_a_pasted_fingerprint_is_found_whatever_its_case_and_spacing(fake_pdf, approved):
    value = approved.issued_report.fingerprint
    pasted = f"  {value[:32].upper()}\n {value[32:]} "
    assert verification.verify_fingerprint(pasted).verified


@pytest.mark.parametrize("text", ["not a fingerprint", "ab" * 31, "g" * 64])
def test_anything_else_pasted_is_not_verified(text):
    verdict = verification.verify_fingerprint(text)
    assert not verdict.verified
    assert verdict.message.startswith("Not verified: a fingerprint is 64 hexadecimal")


def test_posting_nothing_asks_for_a_file_or_a_fingerprint(client):
    response = client.post(URL, {})
    assert response.status_code == 200
    assert "Choose a PDF or paste a fingerprint." in response.content.decode()


def test_other_methods_are_refused(client):
    assert client.put(URL).status_code == 405


# --- the forged report (better scores, genuine fingerprint) ------------------------


def test_forged_pdf_is_not_vouched_for_by_upload_or_by_fingerprint(fake_pdf, client, approved):
    genuine = approved.issued_report
    forged = fake_render(better_scores(issued_doc(approved)))

    response = client.post(URL, {"pdf": upload(forged)})
    html = response.content.decode()
    assert "Not verified" in html
    assert "Not signed by this system." in html
    assert "the file carries no digital signature" in html
    assert f"It names itself report {genuine.report_id}, but carries embedded report data" in html
    assert "not the fingerprint of any report this system issued" in html
    assert "88.6" not in html

    # Its footer prints the genuine fingerprint: that path shows what was really issued.
    response = client.get(URL, {"fingerprint": genuine.fingerprint})
    html = response.content.decode()
    assert "compare before you rely on it" in html
    assert f"{issued_doc(approved)['overall']['score']:.1f}" in html
    assert "88.6" not in html


# --- copies that are not the issued file ------------------------------------------------


def test_a_resaved_copy_matches_the_content_but_is_not_the_issued_file(fake_pdf, client, approved):
    report = approved.issued_report
    copy = resaved(bytes(report.pdf))
    assert pypdf.PdfReader(io.BytesIO(copy)).attachments["report.json"] == [report.document_bytes]
    verdict = verification.verify_file(copy)
    assert verdict.outcome == verification.CONTENT_MATCHES
    assert verdict.report == report
    assert "does not match its bytes" in verdict.message
    assert "re-saved" in verdict.message

    html = client.post(URL, {"pdf": upload(copy)}).content.decode()
    assert "Same report data, but not the issued file." in html
    assert reverse("report_issued_pdf", args=[report.fingerprint]) in html


def test_a_one_byte_change_is_not_verified_with_the_reason(fake_pdf, approved):
    data = bytearray(approved.issued_report.pdf)
    unsigned_length = len(fake_render(issued_doc(approved)))
    data[unsigned_length // 3] ^= 0x01  # inside the signed rendering
    verdict = verification.verify_file(bytes(data))
    assert not verdict.verified
    assert verdict.signature.state in (verification.SIG_BROKEN, verification.SIG_UNREADABLE)
    assert "does not match its bytes" in verdict.message or "cannot be read" in verdict.message


def test_a_copy_cut_short_or_empty_or_foreign_is_not_verified(fake_pdf, client, approved):
    for data in (bytes(approved.issued_report.pdf)[:-200], b"", b"hello"):
        response = client.post(URL, {"pdf": upload(data)})
        assert response.status_code == 200
        assert "Not verified" in response.content.decode()


def test_a_signature_by_an_unknown_certificate_is_not_ours(fake_pdf, approved, stranger):
    # The genuine report data, signed by someone else: the same data, not our file.
    copy = signed_by(stranger, fake_render(issued_doc(approved)))
    verdict = verification.verify_file(copy)
    assert verdict.outcome == verification.CONTENT_MATCHES
    assert verdict.signature.state == verification.SIG_UNTRUSTED
    assert "not by this system" in verdict.message
    assert "Mallory Certificates signing" in verdict.message
    # Forged data signed by someone else: nothing of ours.
    forged = signed_by(stranger, fake_render(better_scores(issued_doc(approved))))
    verdict = verification.verify_file(forged)
    assert verdict.outcome == verification.NOT_OURS
    assert verdict.report is None


def test_changes_appended_after_the_signature_are_reported(fake_pdf, approved):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(bytes(approved.issued_report.pdf)))
    info = writer.trailer_view.raw_get("/Info")
    info.get_object()["/Title"] = generic.TextStringObject("Overall 88.6, Conformant")
    writer.mark_update(info)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    verdict = verification.verify_file(out.getvalue())
    assert verdict.outcome == verification.CHANGED_AFTER_SIGNING
    assert "bytes of changes were added after the signature" in verdict.message
    assert verdict.report == approved.issued_report


def test_a_report_issued_before_signing_still_verifies_by_its_bytes(fake_pdf, approved):
    from reports.models import IssuedReport

    unsigned = fake_render(issued_doc(approved))
    IssuedReport.objects.filter(pk=approved.issued_report.pk).update(
        pdf=unsigned, pdf_sha256=hashlib.sha256(unsigned).hexdigest()
    )
    verdict = verification.verify_file(unsigned)
    assert verdict.verified
    assert "the file carries no digital signature" in verdict.message


def test_an_earlier_revisions_report_stays_verified(fake_pdf, approved, officer):
    from assessments import services as assessment_services

    assessment_services.start_revision(assessment=approved, by=officer)
    assert verification.verify_file(bytes(approved.issued_report.pdf)).verified


# --- the throttle ---------------------------------------------------------------------


def test_checks_are_throttled_per_address(fake_pdf, client, approved, settings):
    settings.VERIFY_THROTTLE_REQUESTS = 3
    fingerprint = approved.issued_report.fingerprint
    for _ in range(3):
        assert client.get(URL, {"fingerprint": fingerprint}).status_code == 200
    response = client.get(URL, {"fingerprint": fingerprint})
    assert response.status_code == 429
    assert "Too many verification attempts" in response.content.decode()
    assert client.post(URL, {"fingerprint": fingerprint}).status_code == 429
    pdf_url = reverse("report_issued_pdf", args=[fingerprint])
    assert client.get(pdf_url).status_code == 429
    # The plain form stays available; another address has its own allowance.
    assert client.get(URL).status_code == 200
    other = client.get(URL, {"fingerprint": fingerprint}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_behind_our_proxy_the_forwarded_address_is_counted(fake_pdf, client, settings):
    settings.VERIFY_THROTTLE_REQUESTS = 1
    settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.5"]
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    first = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert client.get(URL, {"fingerprint": "ab" * 32}, **first).status_code == 200
    assert client.get(URL, {"fingerprint": "ab" * 32}, **first).status_code == 429
    # A client cannot reset its count by prepending addresses of its own.
    spoofed = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.1"}
    assert client.get(URL, {"fingerprint": "ab" * 32}, **spoofed).status_code == 429
    second = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert client.get(URL, {"fingerprint": "ab" * 32}, **second).status_code == 200


def test_an_oversized_upload_is_refused_plainly(client, settings):
    settings.VERIFY_MAX_BYTES = 100
    response = client.post(URL, {"pdf": upload(b"%PDF-" + b"x" * 200)})
    assert "larger than 100" in response.content.decode()


def test_report_document_still_serves_the_issued_data(fake_pdf, approved):
    assert services.report_document(assessment=approved) == issued_doc(approved)


def test_the_issuer_certificate_downloads_and_verifies_reports_offline(
    fake_pdf, client, approved, tmp_path
):
    response = client.get(reverse("report_issuer_certificates"))
    assert response.status_code == 200
    assert response.content.startswith(b"-----BEGIN CERTIFICATE-----")
    (tmp_path / "issuer-ca.pem").write_bytes(response.content)
    roots = signing.load_pem_certificates(tmp_path / "issuer-ca.pem")
    assert verification.verify_offline(bytes(approved.issued_report.pdf), roots).verified


def test_without_a_signing_certificate_there_is_no_issuer_certificate(client, settings):
    settings.REPORT_SIGNING_P12 = ""
    assert client.get(reverse("report_issuer_certificates")).status_code == 404


def test_our_valid_signature_over_data_not_on_record_is_said_so(fake_pdf, db):
    signed = signing.sign_pdf(fake_render({"report_id": "HAIP-ELSEWHERE-00009-R1"}))
    verdict = verification.verify_file(signed)
    assert verdict.outcome == verification.NOT_ON_RECORD
    assert not verdict.verified
    assert "no report issued here has the data embedded in this file" in verdict.message


def test_a_forgery_from_our_own_template_printing_the_genuine_fingerprint(
    fake_pdf, client, approved
):
    """The issue's forgery, made with the real template and renderer: better scores,
    the genuine fingerprint on every page, the forged data attached."""
    import weasyprint

    from reports.exports import canonical_json, fingerprint
    from reports.pdf import render_report_html

    genuine = approved.issued_report
    forged_doc = better_scores(issued_doc(approved))
    html = render_report_html(forged_doc).replace(fingerprint(forged_doc), genuine.fingerprint)
    attachment = weasyprint.Attachment(string=canonical_json(forged_doc), name="report.json")
    forged = weasyprint.HTML(string=html).write_pdf(
        pdf_variant="pdf/a-3b", attachments=[attachment]
    )
    text = " ".join(pypdf.PdfReader(io.BytesIO(forged)).pages[0].extract_text().split())
    assert genuine.fingerprint in text.replace(" ", "")
    assert "88.6" in " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(forged)).pages[:3]
    )

    html = client.post(URL, {"pdf": upload(forged)}).content.decode()
    assert "Not signed by this system." in html
    assert "not the fingerprint of any report this system issued" in html
    assert "whatever fingerprint its pages print" in html

    html = client.get(URL, {"fingerprint": genuine.fingerprint}).content.decode()
    real = issued_doc(approved)["overall"]["score"]
    assert f"<strong>{real:.1f}</strong>" in html
    assert "88.6" not in html
