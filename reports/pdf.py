"""The report as HTML and as a PDF/A-3b: pure functions, document in, text or bytes out.

The PDF must come out byte for byte the same each time the same document is
rendered, so that a re-render can be checked against the issued copy. WeasyPrint
takes every date from the document (``dcterms.created``, the attachment dates)
and derives the file identifier from the content. One source of variation is
left: without HarfBuzz's subsetter (Debian package libharfbuzz-subset0)
WeasyPrint subsets fonts with fontTools, which stamps the current time into each
embedded font unless ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds
convention). It is set to the report's date for the length of a render only,
under a lock, so that concurrent renders in one process never see another's.
"""

from __future__ import annotations

import gc
import json
import os
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import weasyprint
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from .chart import chart_legend, score_chart
from .exports import canonical_json, fingerprint

REPORT_TEMPLATE = "reports/report.html"
# The QR code and verification address on the cover, when the signing feature provides them.
VERIFICATION_TEMPLATE = "reports/_verification.html"
PDF_VARIANT = "pdf/a-3b"
ATTACHMENT_NAME = "report.json"

_render_lock = threading.Lock()


def report_context(doc: dict) -> dict:
    """What the report templates need: the document, its fingerprint, the chart.

    The document goes through its canonical JSON first, so that what is shown
    depends only on that JSON (the one attached to the PDF), never on the order
    of a dictionary built in memory.
    """
    doc = json.loads(canonical_json(doc))
    by_numeral = {p["numeral"]: p for p in doc["principles"]}
    opinion = doc.get("opinion")
    return {
        "doc": doc,
        "fingerprint": fingerprint(doc),
        "chart": score_chart(doc),
        "legend": chart_legend(doc),
        "weakest": [by_numeral[n] for n in doc["weakest"] if n in by_numeral],
        "thresholds": [b for b in doc["methodology"]["bands"] if b["threshold"] is not None],
        # Drafts (no opinion yet) show the comments; an approval says whether they go in.
        "show_comments": opinion["include_comments"] if opinion else True,
        "comments": [
            {"code": q["code"], **c}
            for p in doc["principles"]
            for q in p["questions"]
            for c in q["comments"]
        ],
        "verification_template": _verification_template(),
    }


def render_report_html(doc: dict) -> str:
    """The complete HTML document the PDF is printed from."""
    pdf_date = document_date(doc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return render_to_string(
        REPORT_TEMPLATE, {**report_context(doc), "for_pdf": True, "pdf_date": pdf_date}
    )


def render_report_pdf(doc: dict) -> bytes:
    """The PDF/A-3b of ``doc``, with its canonical JSON attached as ``report.json``."""
    stamp = document_date(doc)
    fetcher = _local_only_fetcher()
    attachment = weasyprint.Attachment(
        string=canonical_json(doc),
        name=ATTACHMENT_NAME,
        description=f"Report {doc['report_id']}: the data this PDF was rendered from",
        created=stamp,
        modified=stamp,
        relationship="Source",
        url_fetcher=fetcher,
    )
    html = weasyprint.HTML(string=render_report_html(doc), url_fetcher=fetcher)
    with _rendering(stamp):
        return html.write_pdf(pdf_variant=PDF_VARIANT, attachments=[attachment])


def document_date(doc: dict) -> datetime:
    """The date a report is dated by: approval, else submission, else creation."""
    workflow = doc["workflow"]
    value = workflow["approved_at"] or workflow["submitted_at"] or workflow["created_at"]
    return datetime.fromisoformat(value).astimezone(UTC)


def _verification_template() -> str | None:
    try:
        get_template(VERIFICATION_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return VERIFICATION_TEMPLATE


def _local_only_fetcher() -> weasyprint.URLFetcher:
    # Everything the report needs is inline; refusing other schemes means a
    # render never touches the network or the file system, whatever the content.
    return weasyprint.URLFetcher(allowed_protocols={"data"})


@contextmanager
def _rendering(stamp: datetime):
    """One render at a time, with the fonts' timestamp pinned and the cyclic GC paused."""
    with _render_lock:
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
        # A render allocates millions of objects that reference counting frees;
        # the cyclic collector would rescan the whole heap again and again for
        # little (about a tenth of the render time; peak memory barely moves).
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if collecting:
                gc.enable()
            if previous is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous
