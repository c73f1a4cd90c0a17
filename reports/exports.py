"""Machine-readable exports of the report document: canonical JSON and CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json

CSV_COLUMNS = [
    "report_id",
    "principle",
    "principle_title",
    "principle_score",
    "principle_band",
    "principle_coverage",
    "question",
    "question_text",
    "weight",
    "level",
    "level_label",
    "not_applicable",
    "gap_priority",
    "explanation",
    "evidence_count",
    "evidence_sha256",
    "comment_count",
]

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def canonical_json(doc: dict) -> bytes:
    """The document as canonical JSON: sorted keys, no spaces, UTF-8."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def fingerprint(doc: dict) -> str:
    """The report's fingerprint: SHA-256 of its canonical JSON, in lower-case hex."""
    return hashlib.sha256(canonical_json(doc)).hexdigest()


def render_csv(doc: dict) -> bytes:
    """One row per applicable question, with its principle's results repeated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    priorities = {gap["code"]: gap["priority"] for gap in doc["gaps"]}
    for principle in doc["principles"]:
        band = principle["band"]
        for q in principle["questions"]:
            writer.writerow(
                [
                    doc["report_id"],
                    principle["numeral"],
                    _text(principle["title"]),
                    _number(principle["score"]),
                    band["label"] if band else "",
                    _number(principle["coverage"]),
                    q["code"],
                    _text(q["text"]),
                    q["weight"],
                    _number(q["level"]),
                    q["level_label"],
                    "yes" if q["not_applicable"] else "no",
                    _number(priorities.get(q["code"])),
                    _text(q["explanation"]),
                    len(q["evidence"]),
                    " ".join(e["sha256"] for e in q["evidence"] if e["sha256"]),
                    len(q["comments"]),
                ]
            )
    return out.getvalue().encode("utf-8")


def _number(value) -> str:
    return "" if value is None else str(value)


def _text(value: str) -> str:
    # Free text typed by users must not run as a formula when an auditor opens
    # the file in a spreadsheet; a leading apostrophe keeps it as text.
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value
