"""Issuing reports (verifying copies of them is in ``verification``)."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction

from assessments.models import Assessment

from . import pdf as pdf_renderer
from . import signing
from .document import build_report
from .exports import canonical_json
from .models import IssuedReport


class NotApproved(Exception):
    """Only an approved assessment has an issued report."""


def issue_report(*, assessment: Assessment) -> IssuedReport:
    """Render, sign and store the report of an approved assessment, once.

    Idempotent: when the report was issued already, the stored one is returned
    unchanged, so its bytes and fingerprint never change. The rendering is
    deterministic (``unsigned_pdf_sha256`` is the same on every render of the
    same document); the signature, which carries its own time, is not.
    Raises ``signing.SigningNotConfigured`` when no signing certificate is set up.
    """
    existing = IssuedReport.objects.filter(assessment=assessment).first()
    if existing is not None:
        return existing
    if not assessment.is_locked:
        raise NotApproved(f"“{assessment.title}” is not approved: its report cannot be issued.")
    signing.signing_signer()  # no certificate: say so before a second-long render
    doc = build_report(assessment=assessment)
    document = canonical_json(doc)
    unsigned = pdf_renderer.render_report_pdf(doc)
    pdf = signing.sign_pdf(unsigned)
    try:
        with transaction.atomic():
            return IssuedReport.objects.create(
                assessment=assessment,
                report_id=doc["report_id"],
                fingerprint=hashlib.sha256(document).hexdigest(),
                pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                unsigned_pdf_sha256=hashlib.sha256(unsigned).hexdigest(),
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
