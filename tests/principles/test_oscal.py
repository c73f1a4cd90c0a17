"""OSCAL exports: catalog, per-role profiles and assessment-results, parsed back with
compliance-trestle's models (a schema-invalid document fails these tests)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog
from trestle.oscal.profile import Profile

from assessments import services
from principles.catalogue import live_catalogue
from principles.models import Principle, Question, QuestionWeight
from reports.models import IssuedReport
from tests.conftest import approve
from tests.reports.conftest import fake_render

pytestmark = pytest.mark.django_db


def parse(model, content: bytes):
    data = json.loads(content)
    root = next(iter(data))
    return model.model_validate(data[root]), data


def test_catalog_has_principles_as_groups_and_questions_as_controls(client, officer):
    client.force_login(officer)
    response = client.get(reverse("oscal_catalog"))
    assert response.status_code == 200
    assert "haip-catalog.oscal.json" in response["Content-Disposition"]
    catalog, data = parse(Catalog, response.content)
    assert data["catalog"]["metadata"]["oscal-version"] == OSCAL_VERSION == "1.2.1"
    assert [g.title.split(".")[0] for g in catalog.groups] == [
        p.numeral for p in Principle.objects.order_by("order")
    ]
    first = Principle.objects.get(numeral="I")
    group = catalog.groups[0]
    statement = next(part for part in group.parts if part.name == "statement")
    assert statement.prose == first.text  # the official wording, word for word
    controls = [c for g in catalog.groups for c in g.controls or []]
    assert len(controls) == Question.objects.count()
    question = Question.objects.get(code="I.1")
    control = next(c for c in controls if c.id == "i.1")
    parts = {part.name: part for part in control.parts}
    assert parts["statement"].prose == question.text
    assert parts["guidance"].prose == question.guidance
    assert parts["assessment-method"].parts[0].prose == question.evidence_expected
    assert {p.name: p.value for p in control.props}["label"] == "I.1"


def test_catalog_export_is_identical_when_repeated_and_changes_with_the_catalogue(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    call_command("export_oscal", "catalog", "--output", str(first))
    call_command("export_oscal", "catalog", "--output", str(second))
    assert first.read_bytes() == second.read_bytes()
    question = Question.objects.get(code="I.1")
    question.guidance += " More."
    question.save()
    call_command("export_oscal", "catalog", "--output", str(second))
    catalog, _ = parse(Catalog, second.read_bytes())
    assert first.read_bytes() != second.read_bytes()
    assert catalog.uuid == parse(Catalog, first.read_bytes())[0].uuid  # same catalogue, new text


def test_profile_lists_the_questions_of_its_role_with_weights(client, officer):
    client.force_login(officer)
    response = client.get(reverse("oscal_profile", args=["deployment"]))
    assert response.status_code == 200
    profile, _ = parse(Profile, response.content)
    weights = {
        w.question.code.lower(): w.weight
        for w in QuestionWeight.objects.filter(role__code="deployment", weight__gt=0)
        .select_related("question")
    }  # fmt: skip
    assert sorted(profile.imports[0].include_controls[0].with_ids) == sorted(weights)
    for alter in profile.modify.alters:
        props = {p.name: p.value for p in alter.adds[0].props}
        assert props["weight"] == str(weights[alter.control_id])
    assert profile.back_matter.resources[0].rlinks[0].href.endswith(reverse("oscal_catalog"))
    other, _ = parse(Profile, client.get(reverse("oscal_profile", args=["use"])).content)
    assert other.uuid != profile.uuid


def test_catalogue_downloads_need_a_signed_in_user_and_a_known_role(client, officer):
    response = client.get(reverse("oscal_catalog"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(officer)
    assert client.get(reverse("oscal_profile", args=["astronaut"])).status_code == 404
    assert client.post(reverse("oscal_catalog")).status_code == 405
    methodology = client.get(reverse("methodology")).content.decode()
    assert reverse("oscal_profile", args=["design"]) in methodology


def test_profile_command_refuses_an_unknown_role(tmp_path):
    with pytest.raises(Exception, match="No lifecycle role"):
        call_command("export_oscal", "profile", "astronaut", "--output", str(tmp_path / "p.json"))


@pytest.fixture
def approved_with_evidence(assessment, officer, auditor, monkeypatch):
    monkeypatch.setattr("reports.pdf.render_report_pdf", fake_render)
    result = services.result_for(assessment)
    questions = [q.question for p in result.principles for q in p.questions]
    inputs = []
    for index, question in enumerate(questions):
        evidence = None
        if index == 0:
            upload = SimpleUploadedFile("model-card.txt", b"Model card v3\n")
            evidence = services.NewEvidence(description="Model card", upload=upload)
        elif index == 1:
            evidence = services.NewEvidence(description="Policy", url="https://example.org/p")
        inputs.append(
            services.AnswerInput(
                question_id=question.id,
                seen_version=0,
                level=None if index == 2 else index % 5,
                not_applicable=index == 2,
                explanation="Not our business." if index == 2 else f"How {question.code} runs.",
                new_evidence=evidence,
            )
        )
    services.save_answers(assessment=assessment, inputs=inputs, by=officer)
    services.submit_assessment(assessment=assessment, by=officer)
    approve(assessment, auditor)
    assessment.refresh_from_db()
    return assessment, questions


def test_assessment_results_hold_findings_evidence_and_the_fingerprint(
    client, approved_with_evidence, auditor
):
    assessment, questions = approved_with_evidence
    client.force_login(auditor)
    response = client.get(reverse("oscal_results", args=[assessment.pk]))
    assert response.status_code == 200
    results, data = parse(AssessmentResults, response.content)
    assert "assessment-results" in data
    issued = IssuedReport.objects.get(assessment=assessment)
    result = results.results[0]
    props = {p.name: p.value for p in result.props}
    assert props["report-fingerprint"] == issued.fingerprint
    assert props["report-id"] == assessment.report_id
    assert props["approved-by"] == "arthur"
    selected = result.reviewed_controls.control_selections[0].include_controls
    assert [c.control_id for c in selected] == [q.code.lower() for q in questions]
    findings = {f.target.target_id: f for f in result.findings}
    assert len(findings) == len(questions)
    na = findings[questions[2].code.lower()]
    assert {p.name: p.value for p in na.props}["not-applicable"] == "true"
    gap = findings[questions[0].code.lower()]  # level 0
    assert gap.target.status.state.value == "not-satisfied"
    assert {p.name: p.value for p in gap.props}["level"] == "0"
    file_obs = next(
        o for o in result.observations if o.relevant_evidence[0].props[0].value == "file"
    )
    evidence = assessment.answers.get(question_id=questions[0].id).evidence.get()
    assert {p.name: p.value for p in file_obs.relevant_evidence[0].props}["sha256"] == (
        evidence.sha256
    )
    hashes = [
        h.value for r in results.back_matter.resources for rl in r.rlinks for h in rl.hashes or []
    ]
    assert hashes == [evidence.sha256]
    link_obs = [
        o for o in result.observations if o.relevant_evidence[0].href == "https://example.org/p"
    ]
    assert len(link_obs) == 1
    assert [o.observation_uuid for o in gap.related_observations] == [file_obs.uuid]
    assert any("Approved" in e.title for e in result.assessment_log.entries)
    opinion = {part.title: part.prose for part in result.attestations[0].parts}
    assert opinion["Opinion"] == assessment.audit_opinion.opinion
    again = client.get(reverse("oscal_results", args=[assessment.pk]))
    assert again.content == response.content  # stable UUIDs and times


def test_results_are_for_members_of_approved_assessments_only(
    client, approved_with_evidence, outsider, officer, tmp_path
):
    assessment, _ = approved_with_evidence
    url = reverse("oscal_results", args=[assessment.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(officer)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    detail = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert url in detail
    out = tmp_path / "results.json"
    call_command("export_oscal", "results", str(assessment.pk), "--output", str(out))
    assert out.read_bytes() == client.get(url).content


def test_a_draft_has_no_results(client, assessment, officer, tmp_path):
    client.force_login(officer)
    assert client.get(reverse("oscal_results", args=[assessment.pk])).status_code == 404
    with pytest.raises(Exception, match="Only an approved assessment"):
        call_command("export_oscal", "results", str(assessment.pk), "--output", str(tmp_path / "r"))


def test_catalogue_changes_after_approval_do_not_change_the_results(
    client, approved_with_evidence, auditor
):
    assessment, _ = approved_with_evidence
    client.force_login(auditor)
    before = client.get(reverse("oscal_results", args=[assessment.pk])).content
    question = Question.objects.get(code="I.1")
    question.text = "Something else entirely?"
    question.save()
    assert live_catalogue().principle("I").questions[0].text == "Something else entirely?"
    assert client.get(reverse("oscal_results", args=[assessment.pk])).content == before


def test_export_report_writes_the_same_oscal_results_as_the_download(
    client, approved_with_evidence, auditor, tmp_path
):
    assessment, _ = approved_with_evidence
    client.force_login(auditor)
    out = tmp_path / "results.json"
    call_command(
        "export_report", str(assessment.pk), "--format", "oscal", "--output", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert out.read_bytes() == client.get(reverse("oscal_results", args=[assessment.pk])).content
    AssessmentResults.parse_obj(json.loads(out.read_bytes())["assessment-results"])


def test_export_report_refuses_oscal_for_a_draft_and_writes_nothing(assessment, tmp_path):
    with pytest.raises(CommandError, match="Only an approved assessment"):
        call_command(
            "export_report", str(assessment.pk), "--format", "oscal",
            "--output", str(tmp_path / "r.json"),
        )  # fmt: skip
    assert not (tmp_path / "r.json").exists()
