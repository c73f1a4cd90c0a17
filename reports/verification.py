"""Verifying reports: a file's signature and embedded data, or a fingerprint.

Three questions are asked of an uploaded file, and the answer combines them:

1. Its signature (pyHanko's validator, offline, against our trust roots): valid;
   valid but followed by changes; broken (the signed bytes changed, which is what
   a re-saved copy looks like); made with a certificate that is not ours; absent.
2. Its embedded ``report.json``: the report's fingerprint is the SHA-256 of that
   data, so the data itself says which issued report it is, whatever is printed.
3. Its bytes: equal to the PDF we issued, or not.

``verify_offline`` answers 1 and 2 without the database, for ``verify_report``.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext, gettext_lazy
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from . import signing
from .models import IssuedReport
from .pdf import ATTACHMENT_NAME

logger = logging.getLogger(__name__)

FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")
MAX_EMBEDDED_BYTES = 20 * 1024 * 1024  # far above any report's JSON; stops decompression bombs

# Outcomes of checking a file.
ISSUED = "issued"
CHANGED_AFTER_SIGNING = "changed_after_signing"
CONTENT_MATCHES = "content_matches"
NOT_OURS = "not_ours"
NOT_ON_RECORD = "not_on_record"

LEADS = {
    ISSUED: gettext_lazy("The issued report, signed by this system and unchanged."),
    CHANGED_AFTER_SIGNING: gettext_lazy("Signed by this system, then changed."),
    CONTENT_MATCHES: gettext_lazy("Same report data, but not the issued file."),
    NOT_OURS: gettext_lazy("Not signed by this system."),
    NOT_ON_RECORD: gettext_lazy("Signed with this system's certificate, but not on record here."),
}

# States of a file's signature.
SIG_VALID = "valid"
SIG_CHANGED = "changed"
SIG_BROKEN = "broken"
SIG_UNTRUSTED = "untrusted"
SIG_NONE = "none"
SIG_UNREADABLE = "unreadable"


@dataclass(frozen=True)
class SignatureCheck:
    state: str
    reason: str
    signer: str = ""
    signed_at: datetime | None = None
    timestamp: datetime | None = None  # from a timestamp authority, if any
    signed_length: int | None = None  # bytes of the file the signature covers


@dataclass(frozen=True)
class FileVerdict:
    outcome: str
    verified: bool
    message: str
    signature: SignatureCheck
    content_fingerprint: str | None = None
    report: IssuedReport | None = None  # the issued report to show and offer for download

    @property
    def summary(self) -> dict | None:
        return issued_summary(json.loads(self.report.document_json)) if self.report else None

    @property
    def headline(self) -> str:
        return gettext("Verified") if self.verified else gettext("Not verified")

    @property
    def lead(self) -> str:
        return LEADS[self.outcome]


@dataclass(frozen=True)
class FingerprintVerdict:
    verified: bool
    message: str
    report: IssuedReport | None = None
    summary: dict | None = None
    unknown: bool = False  # well-formed, but no report was issued under it


@dataclass(frozen=True)
class OfflineVerdict:
    verified: bool
    signature: SignatureCheck
    lines: list[str] = field(default_factory=list)


# --- the signature ------------------------------------------------------------


def check_signature(data: bytes, roots: list[asn1_x509.Certificate]) -> SignatureCheck:
    """Validate the file's first signature against ``roots``, without network access."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception:  # any malformed upload ends here, whatever the parser raised
        return SignatureCheck(
            SIG_UNREADABLE, gettext("the file cannot be read as a PDF (it is damaged or not a PDF)")
        )
    if not signatures:
        return SignatureCheck(SIG_NONE, gettext("the file carries no digital signature"))
    embedded = signatures[0]
    try:
        status = signing.run_async(
            async_validate_pdf_signature, embedded, signing.validation_context(roots)
        )
    except Exception as exc:
        logger.info("Signature validation failed: %s", exc)
        return SignatureCheck(
            SIG_BROKEN,
            gettext(
                "its signature does not match its bytes: the signed content was changed, or "
                "the file was re-saved by another program, after it was signed"
            ),
        )
    signer = status.signing_cert.subject.human_friendly
    signed_at = status.signer_reported_dt
    timestamp = status.timestamp_validity.timestamp if status.timestamp_validity else None
    length = embedded.byte_range[2] + embedded.byte_range[3]
    common = {"signer": signer, "signed_at": signed_at, "timestamp": timestamp}
    if not (status.intact and status.valid):
        return SignatureCheck(
            SIG_BROKEN,
            gettext(
                "its signature does not match its bytes: the signed content was changed, or "
                "the file was re-saved by another program, after it was signed"
            ),
            **common,
        )
    if not status.trusted:
        return SignatureCheck(
            SIG_UNTRUSTED,
            gettext(
                "it is signed, but not by this system: the signing certificate (%(signer)s) "
                "does not belong to this system's signing authority"
            )
            % {"signer": signer},
            **common,
        )
    later_changes = status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
        status.modification_level is None
        or status.modification_level > ModificationLevel.LTA_UPDATES
    )
    if later_changes:
        return SignatureCheck(
            SIG_CHANGED,
            gettext(
                "its signature is valid for the file as it was signed, but %(count)s bytes of "
                "changes were added after the signature"
            )
            % {"count": len(data) - length},
            signed_length=length,
            **common,
        )
    return SignatureCheck(
        SIG_VALID,
        gettext("its signature is valid and covers the whole file"),
        signed_length=length,
        **common,
    )


# --- the embedded data --------------------------------------------------------


def embedded_document(data: bytes) -> bytes | None:
    """The bytes of the ``report.json`` attached to the PDF ``data``, if there is one."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for index in range(0, len(names) - 1, 2):
            spec = names[index + 1].get_object()
            name = str(spec.get("/UF", spec.get("/F", names[index])))
            if name == ATTACHMENT_NAME:
                return _stream_bytes(spec["/EF"]["/F"].get_object())
    except Exception:  # no attachment, or a malformed file: nothing embedded to check
        return None
    return None


def _stream_bytes(stream: generic.StreamObject) -> bytes | None:
    filters = stream.get("/Filter")
    raw = stream.encoded_data
    if filters is None:
        return raw[:MAX_EMBEDDED_BYTES]
    if isinstance(filters, generic.ArrayObject):
        filters = filters[0] if len(filters) == 1 else None
    if filters != "/FlateDecode":
        return None
    inflater = zlib.decompressobj()
    out = inflater.decompress(raw, MAX_EMBEDDED_BYTES)
    return None if inflater.unconsumed_tail else out


def content_fingerprint(document: bytes | None) -> str | None:
    return hashlib.sha256(document).hexdigest() if document is not None else None


# --- an uploaded file, against the database ---------------------------------------


def verify_file(data: bytes) -> FileVerdict:
    """Which of the outcomes holds for ``data``: see the module's docstring."""
    signature = check_signature(data, _server_roots())
    issued = _issued(pdf_sha256=hashlib.sha256(data).hexdigest())
    document = embedded_document(data)
    fingerprint = content_fingerprint(document)
    if issued is not None:
        return FileVerdict(
            ISSUED,
            True,
            gettext(
                "Verified: this file is exactly the PDF of report %(report_id)s, as issued by "
                "this system; %(reason)s."
            )
            % {"report_id": issued.report_id, "reason": signature.reason},
            signature,
            issued.fingerprint,
            issued,
        )
    by_content = _issued(fingerprint=fingerprint) if fingerprint else None
    if signature.state == SIG_VALID and by_content is not None:
        # Ours, whole and unchanged; the bytes may differ from the stored copy only by
        # validation data added later (an archive's timestamp, revocation data).
        return FileVerdict(
            ISSUED,
            True,
            gettext("Verified: report %(report_id)s, signed by this system; %(reason)s.")
            % {"report_id": by_content.report_id, "reason": signature.reason},
            signature,
            fingerprint,
            by_content,
        )
    if signature.state == SIG_CHANGED:
        signed = embedded_document(data[: signature.signed_length])
        original = _issued(fingerprint=content_fingerprint(signed)) if signed else None
        return FileVerdict(
            CHANGED_AFTER_SIGNING,
            False,
            gettext(
                "Not verified: this file was changed after it was signed. It was signed by this "
                "system, but %(reason)s; what you see may differ from what was issued."
            )
            % {"reason": signature.reason}
            + (" " + gettext("Compare it with the issued report below.") if original else ""),
            signature,
            fingerprint,
            original,
        )
    if by_content is not None:
        return FileVerdict(
            CONTENT_MATCHES,
            False,
            gettext(
                "Not the issued file: the data embedded in it (report.json) is exactly that of "
                "report %(report_id)s, but this file is not the PDF this system issued: "
                "%(reason)s. Pages can be changed while the embedded data stays the same: "
                "rely on the issued PDF, which you can download below."
            )
            % {"report_id": by_content.report_id, "reason": signature.reason},
            signature,
            fingerprint,
            by_content,
        )
    if signature.state == SIG_VALID:
        return FileVerdict(
            NOT_ON_RECORD,
            False,
            gettext(
                "Not verified: %(reason)s, with this system's certificate, but no report "
                "issued here has the data embedded in this file (SHA-256 %(fingerprint)s). It "
                "may come from another installation that shares the certificate."
            )
            % {"reason": signature.reason, "fingerprint": fingerprint},
            signature,
            fingerprint,
        )
    return FileVerdict(
        NOT_OURS,
        False,
        gettext("Not verified: this file is not a report signed by this system: %(reason)s.")
        % {"reason": signature.reason}
        + " "
        + _content_sentence(document, fingerprint),
        signature,
        fingerprint,
    )


def _content_sentence(document: bytes | None, fingerprint: str | None) -> str:
    if document is None:
        return gettext("It carries no embedded report data (report.json) either.")
    claimed = _claimed_report_id(document)
    values = {"report_id": claimed, "fingerprint": fingerprint}
    if claimed:
        return (
            gettext(
                "It names itself report %(report_id)s, but carries embedded report data whose "
                "SHA-256 is %(fingerprint)s, which is not the fingerprint of any report this "
                "system issued: its content is not what was issued, whatever fingerprint its "
                "pages print. Verify the printed fingerprint to see what was really issued "
                "under it."
            )
            % values
        )
    return (
        gettext(
            "It carries embedded report data whose SHA-256 is %(fingerprint)s, which is not "
            "the fingerprint of any report this system issued: its content is not what was "
            "issued, whatever fingerprint its pages print. Verify the printed fingerprint to "
            "see what was really issued under it."
        )
        % values
    )


def _claimed_report_id(document: bytes) -> str | None:
    try:
        value = json.loads(document).get("report_id")
    except (ValueError, AttributeError):
        return None
    return str(value)[:80] if value else None


# --- a fingerprint ----------------------------------------------------------------


def verify_fingerprint(text: str) -> FingerprintVerdict:
    """Is ``text`` the fingerprint of an issued report? If so, what was issued."""
    value = "".join(str(text).split()).lower()
    if not FINGERPRINT_RE.fullmatch(value):
        return FingerprintVerdict(
            False,
            gettext(
                "Not verified: a fingerprint is 64 hexadecimal characters (0–9, a–f), as "
                "printed at the foot of every page of the report."
            ),
        )
    report = _issued(fingerprint=value, with_document=True)
    if report is None:
        # Nothing more: the page must not help anyone probe for reports.
        return FingerprintVerdict(False, gettext("Unknown fingerprint."), unknown=True)
    summary = issued_summary(json.loads(report.document_json))
    return FingerprintVerdict(
        True,
        gettext(
            "This fingerprint is that of report %(report_id)s, issued by this system. "
            "It proves nothing about the copy you hold by itself: compare that copy with what "
            "was issued, shown below, or check the file itself."
        )
        % {"report_id": report.report_id},
        report,
        summary,
    )


def issued_summary(doc: dict) -> dict:
    """What a reader compares: who, what, when, and every score, from the issued data."""
    assessment = doc.get("assessment", {})
    workflow = doc.get("workflow", {})
    overall = doc.get("overall", {})
    period = assessment.get("period") or {}
    return {
        "report_id": doc.get("report_id"),
        "organization": doc.get("organization", {}).get("name"),
        "assessment": assessment.get("title"),
        "revision": assessment.get("revision"),
        "scope": assessment.get("scope"),
        "period_start": period.get("start"),
        "period_end": period.get("end"),
        "score": overall.get("score"),
        "band": (overall.get("band") or {}).get("label"),
        "principles": [
            {
                "numeral": p.get("numeral"),
                "title": p.get("title"),
                "score": p.get("score"),
                "band": (p.get("band") or {}).get("label"),
            }
            for p in doc.get("principles", [])
        ],
        "approved_by": workflow.get("approved_by"),
        "approved_at": _parse_date(workflow.get("approved_at")),
    }


def _parse_date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def _issued(*, with_document: bool = False, **lookup) -> IssuedReport | None:
    queryset = IssuedReport.objects.select_related("assessment__organization")
    deferred = ("pdf",) if with_document else ("pdf", "document_json")
    return queryset.defer(*deferred).filter(**lookup).first()


def _server_roots() -> list[asn1_x509.Certificate]:
    try:
        return signing.trust_roots()
    except signing.SigningNotConfigured:
        return []  # nothing is ours: every signature is reported as not this system's


# --- offline, for verify_report ------------------------------------------------------


def verify_offline(data: bytes, roots: list[asn1_x509.Certificate]) -> OfflineVerdict:
    """The signature against ``roots`` and the embedded data, without the database."""
    signature = check_signature(data, roots)
    lines = [f"Signature: {signature.reason}."]
    if signature.signer:
        lines.append(f"Signed by: {signature.signer}")
    if signature.signed_at:
        lines.append(f"Signing time (signer's clock): {signature.signed_at.isoformat()}")
    if signature.timestamp:
        lines.append(f"Timestamp (RFC 3161): {signature.timestamp.isoformat()}")
    if signature.state != SIG_VALID:
        return OfflineVerdict(False, signature, lines)
    document = embedded_document(data[: signature.signed_length])
    try:
        doc = json.loads(document) if document is not None else None
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or "report_id" not in doc:
        lines.append("Embedded data: no readable report.json under the signature.")
        return OfflineVerdict(False, signature, lines)
    summary = issued_summary(doc)
    lines += [
        f"Fingerprint (SHA-256 of the signed report.json): {content_fingerprint(document)}",
        "  It must equal the fingerprint printed at the foot of every page.",
        f"Report: {summary['report_id']}, {summary['organization']}, "
        f"“{summary['assessment']}” (revision {summary['revision']})",
        f"Overall: {_score(summary['score'])}, {summary['band'] or 'no band'}",
    ]
    lines += [
        f"  {p['numeral']}. {p['title']}: {_score(p['score'])}, {p['band'] or 'no band'}"
        for p in summary["principles"]
    ]
    if summary["approved_at"]:
        lines.append(
            f"Approved {summary['approved_at']:%Y-%m-%d %H:%M} UTC by {summary['approved_by']}"
        )
    return OfflineVerdict(True, signature, lines)


def _score(value) -> str:
    return "not scored" if value is None else f"{value:.1f}"
