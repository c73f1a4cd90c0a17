"""Machine-readable exports of the report document: canonical JSON and CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CSV_COLUMNS = [
    "report_id",
    "principle",
    "principle_title",
    "oecd_sections",
    "oecd_section_titles",
    "principle_score",
    "principle_band",
    "principle_coverage",
    "principle_na_weight_share",
    "question",
    "question_text",
    "weight",
    # then one "weight_<role code>" column per declared role, in the catalogue's order
    "level",
    "level_label",
    "not_applicable",
    "na_accepted_by",
    "gap_priority",
    "explanation",
    "evidence_count",
    "evidence_sha256",
    "comment_count",
]

# What people read for each column and metadata name in a report that is not in English.
# The stable identifiers above stay in every header cell (see ``heading``).
LABELS = {
    "report_id": gettext_lazy("Report ID"),
    "schema_version": gettext_lazy("Schema version"),
    "language": gettext_lazy("Language"),
    "status": gettext_lazy("Status"),
    "fingerprint": gettext_lazy("Fingerprint (SHA-256)"),
    "organization": gettext_lazy("Organization"),
    "assessment": gettext_lazy("Assessment"),
    "revision": gettext_lazy("Revision"),
    "roles": gettext_lazy("Declared roles"),
    "period_start": gettext_lazy("Reporting period start"),
    "period_end": gettext_lazy("Reporting period end"),
    "overall_score": gettext_lazy("Overall score"),
    "overall_band": gettext_lazy("Overall band"),
    "overall_band_provisional": gettext_lazy("Overall band provisional"),
    "floor_applied": gettext_lazy("Floor rule applied"),
    "principles_scored": gettext_lazy("Principles scored"),
    "na_weight_share": gettext_lazy("Share of weight not applicable"),
    "principle": gettext_lazy("Principle"),
    "principle_title": gettext_lazy("Principle title"),
    "oecd_sections": gettext_lazy("OECD HAIP sections"),
    "oecd_section_titles": gettext_lazy("OECD HAIP section titles"),
    "principle_score": gettext_lazy("Principle score"),
    "principle_band": gettext_lazy("Principle band"),
    "principle_coverage": gettext_lazy("Principle coverage"),
    "principle_na_weight_share": gettext_lazy("Principle share of weight not applicable"),
    "question": gettext_lazy("Question"),
    "question_text": gettext_lazy("Question text"),
    "weight": gettext_lazy("Weight"),
    "level": gettext_lazy("Level"),
    "level_label": gettext_lazy("Level label"),
    "not_applicable": gettext_lazy("Not applicable"),
    "na_accepted_by": gettext_lazy("Not applicable accepted by"),
    "gap_priority": gettext_lazy("Gap priority"),
    "explanation": gettext_lazy("Explanation"),
    "evidence_count": gettext_lazy("Evidence files"),
    "evidence_sha256": gettext_lazy("Evidence SHA-256"),
    "comment_count": gettext_lazy("Comments"),
}

# A spreadsheet runs a cell that starts with one of these as a formula. Leading
# spaces and quotes are skipped by some spreadsheets before they look.
FORMULA_START = re.compile(r"^[\s\"']*[=+\-@]|^[\t\r]")
# A cell can also hold a separator followed by a formula: a spreadsheet that reads
# the file with another separator (";" in many European locales) would split the
# cell there and run the rest, e.g. ";=1+1" or "a,=cmd|...".
FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n][\s\"']*)(?=[=+\-@])")
BOM = "\ufeff"


def canonical_json(doc: dict) -> bytes:
    """The document as canonical JSON: sorted keys, no spaces, UTF-8."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def fingerprint(doc: dict) -> str:
    """The report's fingerprint: SHA-256 of its canonical JSON, in lower-case hex."""
    return hashlib.sha256(canonical_json(doc)).hexdigest()


def heading(identifier: str, language: str, label=None) -> str:
    """A header cell: the stable identifier in English; in another language the
    translated label followed by the identifier in parentheses, "言語 (language)", so
    that people read their language and a program still finds the identifier (the
    text in the last parentheses)."""
    if language == "en":
        return identifier
    with translation.override(language):
        return f"{label if label is not None else LABELS[identifier]} ({identifier})"


def identifier_of(header: str) -> str:
    """The stable identifier of a header cell in any language (see ``heading``)."""
    match = re.search(r"\(([a-z0-9_-]+)\)$", header)
    return match.group(1) if match else header


def csv_metadata(doc: dict) -> list[tuple[str, str]]:
    """The header block of the CSV: what the rows belong to (by stable identifier)."""
    overall = doc["overall"]
    period = doc["assessment"].get("period") or {}
    band = overall.get("band")
    return [
        ("report_id", doc["report_id"]),
        ("schema_version", str(doc["schema_version"])),
        ("language", doc.get("language") or "en"),
        ("status", doc["status"]),
        ("fingerprint", fingerprint(doc)),
        ("organization", doc["organization"]["name"]),
        ("assessment", doc["assessment"]["title"]),
        ("revision", str(doc["assessment"]["revision"])),
        ("roles", "; ".join(role["name"] for role in doc["roles"])),
        ("period_start", period.get("start") or ""),
        ("period_end", period.get("end") or ""),
        ("overall_score", _number(overall["score"])),
        ("overall_band", band["label"] if band else ""),
        ("overall_band_provisional", "yes" if overall.get("provisional") else "no"),
        ("floor_applied", "yes" if overall.get("floor_applied") else "no"),
        (
            "principles_scored",
            _("%(scored)s of %(total)s")
            % {
                "scored": overall.get("principles_scored"),
                "total": overall.get("principles_total"),
            },
        ),
        ("na_weight_share", _number(overall.get("na_weight_share"))),
    ]


def render_csv(doc: dict) -> bytes:
    """UTF-8 with a byte-order mark, every cell quoted: first a metadata block of
    ``name,value`` rows (``csv_metadata``), a blank row, then one row per applicable
    question with its principle's results repeated (``CSV_COLUMNS``, with one weight
    column per declared role). Every text cell goes through ``neutralise``.

    Names and column headers follow the report's language (``heading``); the values
    are those of the document, which is in that language already."""
    language = doc.get("language") or "en"
    with translation.override(language):
        return _render_csv(doc, language)


def _render_csv(doc: dict, language: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for name, value in csv_metadata(doc):
        writer.writerow([heading(name, language), neutralise(value)])
    writer.writerow([])
    roles = [role["code"] for role in doc["roles"]]
    columns = [heading(name, language) for name in CSV_COLUMNS]
    at = CSV_COLUMNS.index("weight") + 1
    columns[at:at] = [
        heading(f"weight_{role['code']}", language, f"{LABELS['weight']}: {role['name']}")
        for role in doc["roles"]
    ]
    writer.writerow([neutralise(column) for column in columns])
    priorities = {gap["code"]: gap["priority"] for gap in doc["gaps"]}
    for principle in doc["principles"]:
        band = principle["band"]
        sections = principle["oecd_sections"]
        for q in principle["questions"]:
            role_weights = {rw["role"]: rw["weight"] for rw in q["role_weights"]}
            writer.writerow(
                [
                    neutralise(doc["report_id"]),
                    principle["numeral"],
                    neutralise(principle["title"]),
                    "; ".join(str(s["number"]) for s in sections),
                    neutralise("; ".join(s["title"] for s in sections)),
                    _number(principle["score"]),
                    neutralise(band["label"]) if band else "",
                    _number(principle["coverage"]),
                    _number(principle.get("na_weight_share")),
                    neutralise(q["code"]),
                    neutralise(q["text"]),
                    q["weight"],
                    *[role_weights.get(code, 0) for code in roles],
                    _number(q["level"]),
                    neutralise(q["level_label"]),
                    "yes" if q["not_applicable"] else "no",
                    neutralise(q.get("na_accepted_by") or ""),
                    _number(priorities.get(q["code"])),
                    neutralise(q["explanation"]),
                    len(q["evidence"]),
                    " ".join(e["sha256"] for e in q["evidence"] if e["sha256"]),
                    len(q["comments"]),
                ]
            )
    return (BOM + out.getvalue()).encode("utf-8")


def _number(value) -> str:
    return "" if value is None else str(value)


def neutralise(value) -> str:
    """Text typed by people, made inert for spreadsheets: the one neutraliser every
    text cell of the CSV goes through.

    A leading apostrophe keeps a cell that would start a formula as text, and an
    apostrophe after a separator does the same for a cell a spreadsheet would split
    off with another separator. Numbers and hashes written by the system need none.
    """
    text = FORMULA_AFTER_SEPARATOR.sub(r"\1'", str(value))
    return f"'{text}" if FORMULA_START.match(text) else text
