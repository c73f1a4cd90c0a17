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
import io
import json
import os
import re
import threading
import zlib
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlencode

import pydyf
import pypdf
import segno
import weasyprint
from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

from assessments.services import WorkflowError

from .chart import chart_legend, score_bars, score_chart
from .exports import canonical_json, fingerprint

REPORT_TEMPLATE = "reports/report.html"
# The QR code and verification address on the cover, when the signing feature provides them.
VERIFICATION_TEMPLATE = "reports/_verification.html"
PDF_VARIANT = "pdf/a-3b"
ATTACHMENT_NAME = "report.json"

_render_lock = threading.Lock()


class MissingGlyphs(WorkflowError):
    """The PDF shows some characters as .notdef (empty boxes): no installed font has them.

    A workflow error, so that approving (which issues the report) is refused with
    this message rather than failing.
    """

    def __init__(self, characters: list[str]):
        self.characters = characters
        shown = ", ".join(f"“{c}” (U+{ord(c):04X})" for c in characters[:10] if len(c) == 1)
        more = f" and {len(characters) - 10} more" if len(characters) > 10 else ""
        super().__init__(
            "The report cannot be issued: no font installed on the server can print "
            f"{shown or 'some characters'}{more}; they would show as empty boxes. "
            "Install the fonts the README lists (fonts-dejavu-core, fonts-noto-cjk) or "
            "change the text, then issue again."
        )


def report_context(doc: dict, *, for_pdf: bool = False) -> dict:
    """What the report templates need: the document, its fingerprint, the chart (the
    PDF's ``score_bars`` or the preview's ``score_chart``).

    The document goes through its canonical JSON first, so that what is shown
    depends only on that JSON (the one attached to the PDF), never on the order
    of a dictionary built in memory.
    """
    doc = json.loads(canonical_json(doc))
    by_numeral = {p["numeral"]: p for p in doc["principles"]}
    digest = fingerprint(doc)
    opinion = doc.get("opinion")
    return {
        "doc": doc,
        "fingerprint": digest,
        **verification_context(doc, digest),
        "for_pdf": for_pdf,
        "chart": score_bars(doc) if for_pdf else score_chart(doc),
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
        "frameworks": [_framework_view(f) for f in doc.get("frameworks") or ()],
    }


def _framework_view(framework: dict) -> dict:
    """One framework of the appendix: a table row per requirement that an answer maps
    to, and the identifiers of the others on one line. Seventy-two rows for NIST AI
    RMF's subcategories, most of them empty, cost the PDF more than the rest of the
    appendix together, and said no more than their identifiers do."""
    requirements = framework["requirements"]
    return {
        **framework,
        "mapped_requirements": [r for r in requirements if r["answers"]],
        "unmapped_ids": ", ".join(r["id"] for r in requirements if not r["answers"]),
    }


def verification_context(doc: dict, digest: str) -> dict:
    """The address that verifies this report, and a QR code to it (drafts have neither).

    The fingerprint cannot be inside the document it fingerprints, so it is added
    to the document's ``verification_url`` here, at render time. The QR code is a
    one-bit PNG in a ``data:`` URL (the only kind of URL the renderer fetches), one
    pixel per module, drawn without smoothing (``image-rendering: pixelated``), so
    it prints as sharp as a vector code; WeasyPrint draws an SVG code path by path,
    a fiftieth of the whole report's time for one picture.
    """
    base = doc.get("verification_url")
    if doc.get("draft") or not base:
        return {"verification_url": "", "qr_data_uri": ""}
    url = f"{base}?{urlencode({'fingerprint': digest})}"
    qr = segno.make(url, error="m")
    return {"verification_url": url, "qr_data_uri": qr.png_data_uri(scale=1, border=2)}


def render_report_html(doc: dict) -> str:
    """The complete HTML document the PDF is printed from."""
    pdf_date = document_date(doc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with translation.override(doc.get("language") or settings.LANGUAGE_CODE):
        return render_to_string(
            REPORT_TEMPLATE, {**report_context(doc, for_pdf=True), "pdf_date": pdf_date}
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
    missing: set[str] = set()

    def finish(document, pdf_objects) -> None:
        missing.update(_missing_characters(document))
        _compress_streams_once(pdf_objects)

    with _rendering(stamp):
        pdf = html.write_pdf(pdf_variant=PDF_VARIANT, attachments=[attachment], finisher=finish)
    if missing and not doc["draft"]:
        # An issued report must print every character (and .notdef breaks PDF/A);
        # a draft is still shown, so that the text can be seen and corrected.
        raise MissingGlyphs(sorted(missing))
    return pdf


def _missing_characters(document) -> list[str]:
    """The characters WeasyPrint drew as .notdef (glyph 0): no font had them.

    Read from the rendered document's fonts, which list each such character with
    the code WeasyPrint gave it (``Font.missing``), while the PDF is written: the
    same finding as ``check_glyphs`` on the finished file, without parsing it again
    (that cost about a twentieth of the render).
    """
    return [chr(codepoint) for font in document.fonts.values() for codepoint in font.missing]


def _compress_streams_once(pdf_objects: pydyf.PDF) -> None:
    """Compress every stream now, once, so that writing the file does not do it twice.

    PDF/A needs a file identifier; pydyf derives it from the MD5 of every object's
    serialized data and then serializes every object again to write it, so each
    stream (the pages' content, the fonts, the attached JSON) went through zlib at
    level 9 twice: a tenth of the report's time. Each stream to be compressed is
    replaced by its compressed bytes, made exactly as pydyf makes them (same level,
    same dictionary, ``/Filter`` then ``/Length``), so the file is byte for byte the
    same as before.
    """
    for obj in pdf_objects.objects:
        if not isinstance(obj, pydyf.Stream) or not obj.compress or "Filter" in obj.extra:
            continue
        compressor = zlib.compressobj(level=9)
        data = b"\n".join(pydyf._to_bytes(item) for item in obj.stream)
        obj.stream = [compressor.compress(data) + compressor.flush()]
        obj.extra["Filter"] = "/FlateDecode"
        obj.compress = False


def check_glyphs(pdf: bytes) -> None:
    """Raise ``MissingGlyphs`` when a font of ``pdf`` draws .notdef (glyph 0).

    Checks a finished PDF (the tests check issued reports with it); rendering
    checks its own output as it writes it (``_missing_characters``).

    Reads the fonts' dictionaries only, never the pages' content streams (about
    25 ms for the 24 pages of the demo report). WeasyPrint gives each character no
    font has a code of its own, maps that code to glyph 0 in the font's encoding
    CMap (otherwise the encoding is plain Identity-H) and lists glyph 0 in the
    font's widths. Both are looked for; the ToUnicode map names the characters.
    """
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    seen: set = set()
    missing: list[str] = []
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            key = getattr(ref, "idnum", None) or id(ref)
            if key in seen:
                continue
            seen.add(key)
            missing += _notdef_characters(ref.get_object())
    if missing:
        raise MissingGlyphs(sorted(set(missing)))


_CID_TO_ZERO = re.compile(rb"<([0-9a-fA-F]{4})>\s+0\b")
_TO_UNICODE = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def _notdef_characters(font) -> list[str]:
    """The characters a Type 0 font draws as glyph 0 (``["?"]`` when it cannot tell which)."""
    if font.get("/Subtype") != "/Type0":
        return []
    codes: set[bytes] = set()
    encoding = font.get("/Encoding")
    if encoding is not None and not isinstance(encoding.get_object(), pypdf.generic.NameObject):
        codes |= {
            m.group(1).lower() for m in _CID_TO_ZERO.finditer(encoding.get_object().get_data())
        }
    descendant = font["/DescendantFonts"][0].get_object()
    widths = descendant.get("/W") or []
    uses_glyph_zero = bool(widths) and int(widths[0]) == 0
    if not codes and not uses_glyph_zero:
        return []
    names = {}
    to_unicode = font.get("/ToUnicode")
    if to_unicode is not None:
        for code, text in _TO_UNICODE.findall(to_unicode.get_object().get_data()):
            names[code.lower()] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    return [names.get(code, "?") for code in sorted(codes)] or ["?"]


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
