"""The JSON and CSV exports, and the fingerprint."""

import hashlib
import json

import pytest
from django.urls import reverse

from assessments import services
from reports.document import build_report
from reports.exports import CSV_COLUMNS, canonical_json, fingerprint, neutralise, render_csv
from tests.reports.conftest import read_csv

pytestmark = pytest.mark.django_db


def csv_parts(doc):
    return read_csv(render_csv(doc))


def csv_rows(doc):
    return csv_parts(doc)[1]


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
    weights = [f"weight_{code}" for code in ("development", "deployment")]
    at = CSV_COLUMNS.index("weight") + 1
    assert list(rows[0]) == CSV_COLUMNS[:at] + weights + CSV_COLUMNS[at:]


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


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t'=1+1"),
        (' "=1+1', "' \"=1+1"),
        # A spreadsheet reading the file with ";" as the separator splits these cells
        # and would run what follows the separator.
        (";=1+1", ";'=1+1"),
        ("a;=1+1", "a;'=1+1"),
        ("a, =cmd|' /C calc'!A0", "a, '=cmd|' /C calc'!A0"),
        ("line one\n=1+1", "line one\n'=1+1"),
        ("Plain text; no formula", "Plain text; no formula"),
        ("3 - 1 = 2", "3 - 1 = 2"),
    ],
)
def test_the_neutraliser_makes_formula_cells_inert(typed, written):
    assert neutralise(typed) == written


def test_every_text_column_goes_through_the_neutraliser(reviewed):
    doc = build_report(assessment=reviewed)
    doc["organization"]["name"] = ";=1+1"
    doc["assessment"]["title"] = "=1+1"
    principle = doc["principles"][0]
    principle["title"] = "=1+1"
    principle["questions"][0].update(text="=1+1", explanation=";=1+1", level_label="=1+1")
    metadata, rows = csv_parts(doc)
    assert metadata["organization"] == ";'=1+1"
    assert metadata["assessment"] == "'=1+1"
    first = rows[0]
    assert first["principle_title"] == "'=1+1"
    assert first["question_text"] == "'=1+1"
    assert first["explanation"] == ";'=1+1"
    assert first["level_label"] == "'=1+1"
    raw = render_csv(doc).decode("utf-8-sig")
    assert '"=1+1' not in raw and ";=1+1" not in raw


def test_csv_is_utf8_with_a_bom_and_every_cell_quoted(reviewed):
    data = render_csv(build_report(assessment=reviewed))
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith('"report_id","HAIP-EXAMPLE-')
    header = next(line for line in lines if line.startswith('"report_id","principle"'))
    assert all(cell.startswith('"') and cell.endswith('"') for cell in header.split(","))


def test_csv_starts_with_the_metadata_block(reviewed):
    doc = build_report(assessment=reviewed)
    metadata, rows = csv_parts(doc)
    assert metadata == {
        "report_id": reviewed.report_id,
        "schema_version": "2",
        "language": "en",
        "status": "submitted",
        "fingerprint": fingerprint(doc),
        "organization": "Example AI Labs",
        "assessment": "Chat assistant 2026",
        "revision": "1",
        "roles": "Development; Deployment",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "overall_score": str(doc["overall"]["score"]),
        "overall_band": doc["overall"]["band"]["label"],
        "overall_band_provisional": "no",
        "floor_applied": "yes" if doc["overall"]["floor_applied"] else "no",
        "principles_scored": f"{doc['overall']['principles_scored']} of 12",
        "na_weight_share": str(doc["overall"]["na_weight_share"]),
    }


def test_csv_rows_carry_the_oecd_sections_and_the_weight_of_each_role(reviewed):
    doc = build_report(assessment=reviewed)
    rows = csv_rows(doc)
    for row, (principle, q) in zip(
        rows, [(p, q) for p in doc["principles"] for q in p["questions"]], strict=True
    ):
        sections = principle["oecd_sections"]
        assert row["oecd_sections"] == "; ".join(str(s["number"]) for s in sections)
        assert row["oecd_section_titles"] == "; ".join(s["title"] for s in sections)
        for rw in q["role_weights"]:
            assert row[f"weight_{rw['role']}"] == str(rw["weight"])
        assert row["weight"] == str(max(rw["weight"] for rw in q["role_weights"]))
    # Principle I feeds section 1 and, through its mitigation questions, section 2.
    assert rows[0]["oecd_sections"].startswith("1; 2")


def test_the_csv_of_an_approved_assessment_names_the_issued_fingerprint(
    fake_pdf, client, approved, officer
):
    client.force_login(officer)
    response = client.get(reverse("report_csv", args=[approved.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    metadata, rows = read_csv(response.content)
    assert metadata["fingerprint"] == approved.issued_report.fingerprint
    assert metadata["status"] == "approved"
    assert len(rows) == services.result_for(approved).applicable
