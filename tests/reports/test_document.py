"""The canonical report document: what it holds, and that it agrees with scoring."""

import json

import pytest

from assessments import services
from principles.models import Principle
from reports.document import SCHEMA_VERSION, build_report

pytestmark = pytest.mark.django_db


def test_scores_coverage_and_bands_are_the_scoring_modules_rounded_to_one_decimal(reviewed):
    result = services.result_for(reviewed)
    doc = build_report(assessment=reviewed)
    assert doc["overall"]["score"] == round(result.score, 1)
    assert doc["overall"]["band"]["key"] == result.band.key
    assert doc["overall"]["coverage"] == 100.0
    for entry, principle in zip(doc["principles"], result.principles, strict=True):
        assert entry["numeral"] == principle.principle.numeral
        assert entry["score"] == (None if principle.score is None else round(principle.score, 1))
        assert entry["applicable"] == principle.applicable
        assert [q["weight"] for q in entry["questions"]] == [q.weight for q in principle.questions]


def test_principle_score_worked_out_by_hand(assessment, officer):
    # Principle I for development and deployment: answer its first two applicable
    # questions with levels 4 and 0 and leave the rest unanswered.
    result = services.result_for(assessment)
    first, second = result.principle("I").questions[:2]
    services.save_answers(
        assessment=assessment,
        inputs=[
            services.AnswerInput(q.question.id, 0, level, False, "")
            for q, level in ((first, 4), (second, 0))
        ],
        by=officer,
    )
    doc = build_report(assessment=assessment)
    expected = 100 * (first.weight * 4 / 4 + second.weight * 0 / 4) / (first.weight + second.weight)
    assert doc["principles"][0]["score"] == round(expected, 1)


def test_every_applicable_question_is_there_with_weight_level_explanation(reviewed):
    doc = build_report(assessment=reviewed)
    codes = [q["code"] for p in doc["principles"] for q in p["questions"]]
    result = services.result_for(reviewed)
    assert codes == [q.question.code for p in result.principles for q in p.questions]
    first = doc["principles"][0]["questions"][0]
    assert first["level"] == 0
    assert first["level_label"] == "Not implemented"
    assert first["explanation"] == f"How {first['code']} is handled."
    assert [rw["role"] for rw in first["role_weights"]] == ["development", "deployment"]
    assert first["weight"] == max(rw["weight"] for rw in first["role_weights"])


def test_evidence_carries_its_sha256_and_download_path(reviewed):
    question = build_report(assessment=reviewed)["principles"][0]["questions"][0]
    (evidence,) = question["evidence"]
    stored = reviewed.answers.get(question__code=question["code"]).evidence.get()
    assert evidence["sha256"] == stored.sha256
    assert len(evidence["sha256"]) == 64
    assert evidence["download_path"] == f"/assessments/{reviewed.pk}/evidence/{stored.pk}/"


def test_auditor_comments_are_included(reviewed):
    question = build_report(assessment=reviewed)["principles"][0]["questions"][0]
    assert [c["text"] for c in question["comments"]] == ["Findings list checked."]
    assert question["comments"][0]["author"] == "arthur"


def test_gaps_are_ordered_by_weight_times_distance_to_level_4(reviewed):
    gaps = build_report(assessment=reviewed)["gaps"]
    assert gaps
    assert all(g["level"] < 3 for g in gaps)
    assert all(g["priority"] == g["weight"] * (4 - g["level"]) for g in gaps)
    priorities = [g["priority"] for g in gaps]
    assert priorities == sorted(priorities, reverse=True)


def test_not_applicable_answers_keep_their_justification(reviewed):
    doc = build_report(assessment=reviewed)
    assert doc["not_applicable"]
    for entry in doc["not_applicable"]:
        assert entry["explanation"] == f"Not relevant to {entry['code']}: we do no training."


def test_a_draft_is_marked_as_such(reviewed):
    doc = build_report(assessment=reviewed)
    assert doc["draft"] is True
    assert doc["status"] == "submitted"
    assert doc["workflow"]["approved_at"] is None


def test_an_approved_report_names_who_submitted_and_approved_it(fake_pdf, approved):
    doc = build_report(assessment=approved)
    assert doc["draft"] is False
    assert doc["workflow"]["submitted_by"] == "olivia"
    assert doc["workflow"]["approved_by"] == "arthur"
    assert doc["workflow"]["approved_at"].endswith("+00:00")
    assert [e["action"] for e in doc["workflow"]["events"]] == ["created", "submitted", "approved"]


def test_a_submitted_assessment_shows_the_wording_frozen_at_submission(reviewed):
    principle = Principle.objects.get(numeral="I")
    frozen_text = principle.text
    principle.text = "New official wording."
    principle.save()
    entry = build_report(assessment=reviewed)["principles"][0]
    assert entry["text"] == frozen_text
    assert entry["wording_version"] == 1


def test_two_builds_are_identical_and_plain_json(reviewed):
    first = build_report(assessment=reviewed)
    assert first == build_report(assessment=reviewed)
    assert json.loads(json.dumps(first)) == first
    assert first["schema_version"] == SCHEMA_VERSION == 2
    assert first["report_id"] == reviewed.report_id


def test_methodology_holds_scale_bands_and_the_oecd_mapping(reviewed):
    methodology = build_report(assessment=reviewed)["methodology"]
    assert [s["level"] for s in methodology["scale"]] == [0, 1, 2, 3, 4]
    assert [b["threshold"] for b in methodology["bands"]] == [85.0, 60.0, 30.0, None]
    assert [s["number"] for s in methodology["oecd_sections"]] == [1, 2, 3, 4, 5, 6, 7]
    mapped = {n for section in methodology["oecd_sections"] for n in section["principles"]}
    assert mapped == set(Principle.objects.values_list("numeral", flat=True))
    # Many-to-many: principle I's mitigation questions feed section 2 as well as 1.
    by_number = {s["number"]: s["principles"] for s in methodology["oecd_sections"]}
    assert "I" in by_number[1] and "I" in by_number[2]


def test_each_principle_lists_the_oecd_sections_its_questions_feed(reviewed):
    principles = {p["numeral"]: p for p in build_report(assessment=reviewed)["principles"]}
    assert [s["number"] for s in principles["I"]["oecd_sections"]][:2] == [1, 2]
    assert {
        "number": 3,
        "title": "Transparency reporting on advanced AI systems",
    } in principles["III"]["oecd_sections"]


def test_the_appendix_lists_the_requirements_of_each_framework_with_the_answers(reviewed):
    frameworks = {f["code"]: f for f in build_report(assessment=reviewed)["frameworks"]}
    assert list(frameworks) == ["eu-ai-act", "iso-iec-42001", "nist-ai-rmf"]
    nist = frameworks["nist-ai-rmf"]
    assert nist["total"] == 72 and 0 < nist["mapped"] < 72
    rows = {r["id"]: r for r in nist["requirements"]}
    assert rows["GOVERN 2.1"]["answers"] == [] or rows["GOVERN 2.1"]["answers"][0]["question"]
    assert rows["MAP 1.2"]["answers"] == []  # nothing of ours maps to it


def test_building_costs_a_fixed_number_of_queries(reviewed, django_assert_max_num_queries):
    # 10, and three for the crosswalk appendix (frameworks, requirements, mappings).
    with django_assert_max_num_queries(13):
        build_report(assessment=reviewed)
