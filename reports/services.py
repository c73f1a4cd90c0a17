"""Issuing reports and verifying copies of them."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC

from django.db import IntegrityError, transaction

from assessments.models import Assessment

from . import pdf as pdf_renderer
from .document import build_report
from .exports import canonical_json
from .models import IssuedReport

FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")


class NotApproved(Exception):
    """Only an approved assessment has an issued report."""


@dataclass(frozen=True)
class Verdict:
    verified: bool
    message: str
    report: IssuedReport | None = None


def issue_report(*, assessment: Assessment) -> IssuedReport:
    """Render and store the report of an approved assessment, once.

    Idempotent: when the report was issued already, the stored one is returned
    unchanged, so its bytes and fingerprint never change.
    """
    existing = IssuedReport.objects.filter(assessment=assessment).first()
    if existing is not None:
        return existing
    if not assessment.is_locked:
        raise NotApproved(f"“{assessment.title}” is not approved: its report cannot be issued.")
    doc = build_report(assessment=assessment)
    document = canonical_json(doc)
    pdf = pdf_renderer.render_report_pdf(doc)
    try:
        with transaction.atomic():
            return IssuedReport.objects.create(
                assessment=assessment,
                report_id=doc["report_id"],
                fingerprint=hashlib.sha256(document).hexdigest(),
                pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                document_json=document.decode("utf-8"),
            )
    except IntegrityError:
        # Issued at the same moment by another request: theirs stands.
        return IssuedReport.objects.get(assessment=assessment)


def report_document(*, assessment: Assessment) -> dict:
    """The document to show: as issued for an approved assessment, else built now."""
    issued = IssuedReport.objects.filter(assessment=assessment).only("document_json").first()
    if issued is not None:
        return json.loads(issued.document_json)
    return build_report(assessment=assessment)


def verify_pdf(data: bytes) -> Verdict:
    """Is ``data`` exactly a PDF this system issued?"""
    digest = hashlib.sha256(data).hexdigest()
    report = _issued(pdf_sha256=digest)
    if report is None:
        return Verdict(
            False,
            "Not verified: this file is not a report issued by this system. It may have been "
            "changed, truncated or produced elsewhere.",
        )
    return Verdict(True, _verified_message(report, what="this PDF is"), report)


def verify_fingerprint(text: str) -> Verdict:
    """Does ``text`` (pasted from a report) match the fingerprint of an issued report?"""
    value = "".join(str(text).split()).lower()
    if not FINGERPRINT_RE.fullmatch(value):
        return Verdict(
            False,
            "Not verified: a fingerprint is 64 hexadecimal characters (0–9, a–f), as printed "
            "at the foot of every page of the report.",
        )
    report = _issued(fingerprint=value)
    if report is None:
        return Verdict(False, "Not verified: no report issued by this system has this fingerprint.")
    return Verdict(True, _verified_message(report, what="this fingerprint identifies"), report)


def _issued(**lookup) -> IssuedReport | None:
    return (
        IssuedReport.objects.select_related("assessment__organization", "assessment__approved_by")
        .defer("pdf", "document_json")
        .filter(**lookup)
        .first()
    )


def _verified_message(report: IssuedReport, *, what: str) -> str:
    assessment = report.assessment
    approver = assessment.approved_by
    name = (approver.get_full_name() or approver.get_username()) if approver else "unknown"
    approved = (
        f"{assessment.approved_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        if assessment.approved_at
        else "an unknown date"
    )
    return (
        f"Verified: {what} report {report.report_id}, "
        f"issued by this system for {assessment.organization.name}, "
        f"assessment “{assessment.title}” (revision {assessment.revision}), "
        f"approved on {approved} by {name}."
    )
