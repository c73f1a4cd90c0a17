"""A report's CSV and JSON speak the report's language: Japanese column headers and
metadata names (each keeping its stable identifier in parentheses, so programs still
find it), Japanese labels for levels, bands, status and OECD sections in the JSON;
the English CSV keeps its bare identifiers; the fingerprint covers the language."""

import csv
import io

import pytest

from reports.document import build_report
from reports.exports import CSV_COLUMNS, fingerprint, identifier_of, render_csv
from tests.reports.conftest import answer_with_a_mix, read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(assessment, officer):
    answer_with_a_mix(assessment, officer)
    return assessment


def header_rows(data: bytes):
    text = data.decode("utf-8-sig")
    head, table = text.split("\r\n\r\n", 1)
    return [row[0] for row in csv.reader(io.StringIO(head))], next(csv.reader(io.StringIO(table)))


def test_a_japanese_csv_has_japanese_headers_that_keep_their_identifiers(answered):
    doc = build_report(assessment=answered, language="ja")
    names, columns = header_rows(render_csv(doc))
    assert "言語 (language)" in names and "報告書 ID (report_id)" in names
    assert columns[:2] == ["報告書 ID (report_id)", "原則 (principle)"]
    assert columns[2] == "原則の名称 (principle_title)"
    assert "重み: 開発 (weight_development)" in columns
    # A program finds every identifier of the English CSV in the Japanese one.
    english = header_rows(render_csv(build_report(assessment=answered, language="en")))
    assert [identifier_of(n) for n in names] == english[0]
    assert [identifier_of(c) for c in columns] == english[1]
    metadata, rows = read_csv(render_csv(doc))
    assert metadata["言語 (language)"] == "ja"
    assert metadata["採点された原則 (principles_scored)"] == "12件中12件"
    assert rows[0]["レベルの表示 (level_label)"] == "未実施"


def test_an_english_csv_keeps_the_bare_identifiers(answered):
    names, columns = header_rows(render_csv(build_report(assessment=answered, language="en")))
    assert names[:3] == ["report_id", "schema_version", "language"]
    at = CSV_COLUMNS.index("weight") + 1
    assert columns[:at] == CSV_COLUMNS[:at]
    metadata, _rows = read_csv(render_csv(build_report(assessment=answered, language="en")))
    assert metadata["principles_scored"] == "12 of 12"


def test_the_json_labels_follow_the_report_language(answered):
    doc = build_report(assessment=answered, language="ja")
    assert doc["status_label"] == "下書き"
    band = doc["overall"]["band"]
    assert band["key"] == "partially" and band["label"] == "一部適合"
    assert {b["label"] for b in doc["methodology"]["bands"]} >= {"適合", "一部適合"}
    assert doc["principles"][0]["band"]["label"] == "一部適合"
    assert doc["principles"][0]["questions"][0]["level_label"] == "未実施"
    assert doc["methodology"]["oecd_sections"][0]["title"] == "リスクの特定及び評価"
    assert "原則" in doc["methodology"]["overall_rule"]["effect"]
    english = build_report(assessment=answered, language="en")
    assert english["overall"]["band"]["label"] == "Partially conformant"
    assert english["methodology"]["overall_rule"]["effect"].startswith("Mean of 12 of 12")
    assert fingerprint(doc) != fingerprint(english)
