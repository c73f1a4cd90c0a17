"""The real report, signed: pyHanko's validator, PDF/A-3b kept, the verification address
and QR code on the cover, a timestamp from a local RFC 3161 service, and tampering.

One real report is rendered and issued for the module (about two seconds); the
database is rolled back and the tests work on its bytes.
"""

import hashlib
import io
import re
from dataclasses import dataclass

import pypdf
import pytest
from django.db import transaction
from django.test import override_settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from assessments import services
from assessments.models import Membership
from reports import signing, verification
from reports.services import issue_report
from tests import pki
from tests.conftest import approve, make_org, make_user
from tests.reports.conftest import answer_with_a_mix

# In the database tests' group, which pytest-django runs before the transactional tests
# (whose flush would empty the catalogue that the module fixture builds on).
pytestmark = pytest.mark.django_db


@dataclass
class Issued:
    pdf: bytes
    unsigned_length: int
    fingerprint: str
    report_id: str
    document_json: str


@pytest.fixture(scope="module")
def issued(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        org = make_org("Example AI Labs", "example")
        officer, auditor = make_user("olivia"), make_user("arthur")
        Membership.objects.create(user=officer, organization=org, role="officer")
        Membership.objects.create(user=auditor, organization=org, role="auditor")
        assessment = services.create_assessment(
            organization=org, title="Chat assistant 2026", scope="Our chat assistant.", by=officer
        )
        answer_with_a_mix(assessment, officer)
        services.submit_assessment(assessment=assessment, by=officer)
        approve(assessment, auditor)
        report = issue_report(assessment=assessment)  # as the task worker does after the commit
        pdf = bytes(report.pdf)
        data = Issued(
            pdf=pdf,
            unsigned_length=unsigned_length(pdf, report.unsigned_pdf_sha256),
            fingerprint=report.fingerprint,
            report_id=report.report_id,
            document_json=report.document_json,
        )
        transaction.set_rollback(True)
    return data


def unsigned_length(pdf: bytes, digest: str) -> int:
    """Where the rendering ends in the signed file: the revision whose SHA-256 was stored."""
    for match in re.finditer(rb"%%EOF\r?\n?", pdf):
        if hashlib.sha256(pdf[: match.end()]).hexdigest() == digest:
            return match.end()
    raise AssertionError("the signed file does not begin with the stored rendering")


def pyhanko_status(pdf: bytes, roots):
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    return embedded, validate_pdf_signature(embedded, signing.validation_context(roots))


def test_the_issued_report_validates_with_pyhankos_validator(issued, signing_identity):
    embedded, status = pyhanko_status(issued.pdf, [signing_identity.root_asn1])
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert status.signing_cert.subject.human_friendly.endswith("Test issuer signing")


def test_the_signature_is_an_incremental_update_that_keeps_pdf_a_3b(issued):
    reader = pypdf.PdfReader(io.BytesIO(issued.pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    # Document information and XMP agree (PDF/A), and the embedded data is still attached.
    producer = re.search(r'pdf:Producer(?:="|>)([^"<]+)', xmp).group(1)
    assert reader.metadata["/Producer"] == producer
    assert reader.attachments["report.json"] == [issued.document_json.encode("utf-8")]
    # An invisible signature: a zero-size widget, printable and not hidden (PDF/A).
    annotations = [a.get_object() for a in reader.pages[0]["/Annots"]]
    (widget,) = [a for a in annotations if a.get("/FT") == "/Sig"]
    assert widget["/FT"] == "/Sig"
    assert [float(v) for v in widget["/Rect"]] == [0, 0, 0, 0]
    assert widget["/F"] & 0b100 and not widget["/F"] & 0b10


def test_the_cover_prints_the_verification_address_and_a_qr_code(issued, settings):
    reader = pypdf.PdfReader(io.BytesIO(issued.pdf))
    cover = " ".join(reader.pages[0].extract_text().split())
    address = f"{settings.SITE_URL}/verify/?fingerprint={issued.fingerprint}"
    assert address in cover.replace(" ", "")
    assert "Scan the code or open this address" in cover
    images = list(reader.pages[0].images) or _xobjects(reader.pages[0])
    assert images, "the QR code is drawn on the cover"


def _xobjects(page):
    resources = page["/Resources"]
    return list(resources.get("/XObject", {}).keys())


def test_one_byte_changed_breaks_the_signature_with_a_clear_reason(issued, signing_identity):
    data = bytearray(issued.pdf)
    data[issued.unsigned_length // 2] ^= 0x01
    check = verification.check_signature(bytes(data), [signing_identity.root_asn1])
    assert check.state == verification.SIG_BROKEN
    assert "does not match its bytes" in check.reason


def test_a_resaved_copy_breaks_the_signature_but_keeps_the_data(issued, signing_identity):
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(issued.pdf))
    out = io.BytesIO()
    writer.write(out)
    copy = out.getvalue()
    check = verification.check_signature(copy, [signing_identity.root_asn1])
    assert check.state == verification.SIG_BROKEN
    assert "re-saved" in check.reason
    assert verification.embedded_document(copy) == issued.document_json.encode("utf-8")


def test_an_unknown_certificate_is_not_trusted(issued, tmp_path):
    stranger = pki.make_identity(tmp_path, "Mallory Certificates")
    check = verification.check_signature(issued.pdf, [stranger.root_asn1])
    assert check.state == verification.SIG_UNTRUSTED
    assert "not by this system" in check.reason


def test_with_a_timestamp_authority_the_signature_is_b_lt(issued, signing_identity, settings):
    unsigned = issued.pdf[: issued.unsigned_length]
    with pki.TimestampServer(signing_identity.root) as tsa:
        settings.REPORT_TSA_URL = tsa.url
        signed = signing.sign_pdf(unsigned)
    assert tsa.requests >= 1
    assert signed.startswith(unsigned)
    roots = [signing_identity.root_asn1]
    embedded, status = pyhanko_status(signed, roots)
    assert status.bottom_line
    assert status.timestamp_validity is not None  # B-T: an RFC 3161 signature timestamp
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
    # B-LT: validation data in the document security store, added after the signature.
    reader = PdfFileReader(io.BytesIO(signed))
    assert "/DSS" in reader.root
    assert len(reader.root["/DSS"]["/Certs"]) >= 2
    check = verification.check_signature(signed, roots)
    assert check.state == verification.SIG_VALID
    assert check.timestamp is not None
