"""The JSON and CSV exports, and the fingerprint."""

import csv
import hashlib
import io
import json

import pytest

from assessments import services
from reports.document import build_report
from reports.exports import CSV_COLUMNS, canonical_json, fingerprint, render_csv

pytestmark = pytest.mark.django_db


def csv_rows(doc):
    return list(csv.DictReader(io.StringIO(render_csv(doc).decode("utf-8"))))


def test_canonical_json_has_sorted_keys_no_spaces_and_utf8():
    data = canonical_json({"b": 1, "a": {"d": "é", "c": [1.5, None]}})
    assert data == '{"a":{"c":[1.5,null],"d":"é"},"b":1}'.encode()


def test_fingerprint_is_the_sha256_of_the_canonical_json(reviewed):
    doc = build_report(assessment=reviewed)
    assert fingerprint(doc) == hashlib.sha256(canonical_json(doc)).hexdigest()
    assert json.loads(canonical_json(doc)) == doc


def test_csv_has_one_row_per_applicable_question(reviewed):
    rows = csv_rows(build_report(assessment=reviewed))
    result = services.result_for(reviewed)
    assert [r["question"] for r in rows] == [
        q.question.code for p in result.principles for q in p.questions
    ]
    assert list(rows[0]) == CSV_COLUMNS


def test_csv_and_json_agree_with_the_scoring_module(reviewed):
    doc = build_report(assessment=reviewed)
    result = services.result_for(reviewed)
    scores = {
        p.principle.numeral: "" if p.score is None else str(round(p.score, 1))
        for p in result.principles
    }
    for row in csv_rows(doc):
        assert row["principle_score"] == scores[row["principle"]]
    json_scores = {p["numeral"]: p["score"] for p in json.loads(canonical_json(doc))["principles"]}
    assert json_scores == {
        p.principle.numeral: None if p.score is None else round(p.score, 1)
        for p in result.principles
    }


def test_csv_gives_levels_weights_gaps_and_evidence_hashes(reviewed):
    doc = build_report(assessment=reviewed)
    rows = {r["question"]: r for r in csv_rows(doc)}
    first = doc["principles"][0]["questions"][0]
    row = rows[first["code"]]
    assert row["level"] == "0"
    assert row["weight"] == str(first["weight"])
    assert row["gap_priority"] == str(first["weight"] * 4)
    assert row["evidence_sha256"] == first["evidence"][0]["sha256"]
    assert row["comment_count"] == "1"
    na_code = doc["not_applicable"][0]["code"]
    assert rows[na_code]["not_applicable"] == "yes"
    assert rows[na_code]["level"] == ""


def test_csv_text_cannot_run_as_a_spreadsheet_formula(reviewed):
    doc = build_report(assessment=reviewed)
    doc["principles"][0]["questions"][0]["explanation"] = '=HYPERLINK("http://x")'
    assert csv_rows(doc)[0]["explanation"] == '\'=HYPERLINK("http://x")'
