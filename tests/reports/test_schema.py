"""Every export of the report document conforms to reports/schema/report-v2.json."""

import json

import pytest
from django.urls import reverse

from assessments import services
from reports.document import SCHEMA_PATH, SCHEMA_VERSION, build_report
from reports.exports import canonical_json
from tests.conftest import approve
from tests.reports.conftest import assert_valid_report

pytestmark = pytest.mark.django_db


def test_the_schema_is_draft_2020_12_and_names_the_version():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION}


def test_a_fresh_draft_with_no_answer_conforms(assessment):
    doc = build_report(assessment=assessment)
    assert doc["overall"]["score"] is None and doc["overall"]["lowest"] is None
    assert_valid_report(doc)


def test_a_submitted_assessment_with_evidence_comments_and_na_conforms(reviewed):
    assert_valid_report(build_report(assessment=reviewed))


def test_the_issued_json_the_json_export_and_the_preview_conform(
    fake_pdf, client, reviewed, auditor
):
    approve(reviewed, auditor)
    reviewed.refresh_from_db()
    issued = reviewed.issued_report
    assert_valid_report(issued.document_json)
    client.force_login(auditor)
    exported = client.get(reverse("report_json", args=[reviewed.pk])).content
    assert_valid_report(exported)
    preview = client.get(reverse("report_preview", args=[reviewed.pk]))
    assert_valid_report(preview.context["doc"])


def test_a_draft_json_export_conforms(client, reviewed, officer):
    client.force_login(officer)
    assert_valid_report(client.get(reverse("report_json", args=[reviewed.pk])).content)


def test_a_document_without_comments_appendix_conforms(fake_pdf, reviewed, auditor):
    approve(reviewed, auditor, include_comments=False, independent=False)
    reviewed.refresh_from_db()
    doc = json.loads(reviewed.issued_report.document_json)
    assert doc["opinion"]["independent"] is False
    assert_valid_report(doc)


def test_the_schema_catches_a_missing_or_unknown_key(reviewed):
    doc = build_report(assessment=reviewed)
    del doc["nature"]
    with pytest.raises(AssertionError, match="nature"):
        assert_valid_report(doc)
    doc = build_report(assessment=reviewed)
    doc["overall"]["surprise"] = 1
    with pytest.raises(AssertionError, match="surprise"):
        assert_valid_report(doc)


def test_v2_content_the_presentation_relies_on(reviewed, settings):
    settings.SITE_URL = "https://haip.example.org"
    doc = build_report(assessment=reviewed)
    nature = doc["nature"]
    assert "self-assessment" in nature["statement"]
    assert "as relevant and appropriate" in nature["statement"]
    assert "not a certification" in nature["statement"]
    titles = [s["title"] for s in nature["sources"]]
    assert "Hiroshima Process International Guiding Principles for All AI Actors" in titles
    assert any("Code of Conduct" in t for t in titles)
    assert any(s["publisher"] == "OECD" for s in nature["sources"])
    xii = next(p for p in doc["principles"] if p["numeral"] == "XII")
    assert xii["commentary"].startswith("AI actors should seek opportunities")
    assert all(p["commentary"] == "" for p in doc["principles"] if p["numeral"] != "XII")
    evidence = doc["principles"][0]["questions"][0]["evidence"][0]
    assert evidence["download_url"] == "https://haip.example.org" + evidence["download_path"]
    link = doc["principles"][0]["questions"][1]["evidence"][0]
    assert link["download_url"] is None and link["url"] == "https://example.org/policy"
    methodology = doc["methodology"]
    assert "half up" in methodology["rounding"]
    assert methodology["floor_rule"]["enabled"] is True
    assert methodology["floor_rule"]["max_steps_above_weakest"] == 1
    assert "mean of the principle scores" in methodology["formulas"]["overall_score"]
    assert methodology["overall_rule"]["effect"].startswith(
        f"Mean of {doc['overall']['principles_scored']} of 12 principles"
    )


def test_the_overall_block_matches_the_scoring_module(reviewed):
    result = services.result_for(reviewed)
    overall = build_report(assessment=reviewed)["overall"]
    assert overall["score"] == result.score
    assert overall["band"]["key"] == result.band.key
    assert overall["band_before_floor"]["key"] == result.band_before_floor.key
    assert overall["floor_applied"] is result.floor_applied
    assert overall["lowest"]["numeral"] == result.lowest.principle.numeral
    assert overall["lowest"]["score"] == min(
        p.score for p in result.principles if p.score is not None
    )
    assert overall["na_weight_share"] == result.na_weight_share > 0
    assert overall["provisional"] is False


def test_every_number_has_at_most_one_decimal(reviewed):
    doc = build_report(assessment=reviewed)

    def numbers(value):
        if isinstance(value, float):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from numbers(item)
        elif isinstance(value, list):
            for item in value:
                yield from numbers(item)

    found = list(numbers(doc))
    assert found
    assert all(json.dumps(n) == f"{n:.1f}" for n in found), found
    assert canonical_json(doc)  # still serialisable
