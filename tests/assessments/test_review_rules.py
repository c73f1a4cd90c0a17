"""What an approval rests on: bands frozen at submission, every "not applicable"
answer accepted by an auditor, the auditor's opinion, and the period under review."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, AuditOpinion
from reports import pdf
from reports.document import build_report
from tests.assessments.helpers import applicable_codes
from tests.conftest import an_opinion, answer_everything, approve
from tests.reports.conftest import fake_render

pytestmark = pytest.mark.django_db

OPINION_POST = {
    "review_scope": "All principles.",
    "sampling": "One answer in five, at random.",
    "opinion": "Consistent with the evidence.",
    "affiliation": "Example Assurance LLP",
    "independent": "yes",
    "include_comments": "on",
    "confirm": "yes",  # as posted by the confirmation page
    "confirm_unreviewed": "yes",
}


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr(pdf, "render_report_pdf", fake_render)


def mark_not_applicable(assessment, officer, codes):
    """Answer ``codes`` "not applicable", each with its own justification."""
    answers = {a.question.code: a for a in assessment.answers.select_related("question")}
    inputs = []
    for code in codes:
        answer = answers[code]
        inputs.append(
            services.AnswerInput(
                answer.question_id, answer.version, None, True, f"{code} does not apply here."
            )
        )
    services.save_answers(assessment=assessment, inputs=inputs, by=officer)


@pytest.fixture
def with_na(assessment, officer):
    """Submitted, with two "not applicable" answers in principle I and one in II."""
    answer_everything(assessment, officer)
    codes = [*applicable_codes(assessment, "I")[:2], applicable_codes(assessment, "II")[0]]
    mark_not_applicable(assessment, officer, codes)
    services.submit_assessment(assessment=assessment, by=officer)
    assessment.refresh_from_db()
    assessment.na_codes = codes
    return assessment


# --- bands frozen at submission ------------------------------------------------


def test_changing_the_bands_later_does_not_reband_a_submitted_or_approved_assessment(
    client, fake_pdf, submitted, auditor, officer, settings
):
    # Every answer at level 3: 75.0, "largely conformant" under the default bands.
    assert services.result_for(submitted).band.key == "largely"
    settings.CONFORMANCE_BANDS = [(70.0, "conformant", "Conformant"), (40.0, "largely", "Largely")]
    settings.CONFORMANCE_FLOOR_STEPS = 0
    result = services.result_for(Assessment.objects.get(pk=submitted.pk))
    assert result.band.key == "largely" and result.band.label == "Largely conformant"
    assert result.rules.floor_steps == 1
    approve(Assessment.objects.get(pk=submitted.pk), auditor)
    doc = build_report(assessment=Assessment.objects.get(pk=submitted.pk))
    assert doc["overall"]["band"]["label"] == "Largely conformant"
    assert [b["threshold"] for b in doc["methodology"]["bands"]] == [85.0, 60.0, 30.0, None]
    assert doc["methodology"]["bands_frozen_at_submission"] is True
    client.force_login(officer)
    detail = client.get(reverse("assessment_detail", args=[submitted.pk])).content.decode()
    assert "Largely conformant" in detail
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Largely conformant" in dashboard


def test_a_draft_follows_the_bands_in_force(assessment, officer, settings):
    answer_everything(assessment, officer)
    settings.CONFORMANCE_BANDS = [(70.0, "conformant", "Conformant")]
    assert services.result_for(assessment).band.key == "conformant"


def test_a_returned_assessment_is_banded_by_the_settings_again(submitted, auditor, settings):
    services.return_assessment(assessment=submitted, by=auditor, comment="Redo.")
    submitted.refresh_from_db()
    settings.CONFORMANCE_BANDS = [(70.0, "conformant", "Conformant")]
    assert services.result_for(submitted).band.key == "conformant"


# --- headline on the overview page and the dashboard ---------------------------


def test_overview_and_dashboard_show_principles_scored_lowest_and_na_share(
    client, with_na, officer
):
    result = services.result_for(with_na)
    client.force_login(officer)
    for url in (reverse("assessment_detail", args=[with_na.pk]), reverse("dashboard")):
        html = client.get(url).content.decode()
        assert f"{result.principles_scored} of 12 principles scored" in html
        assert f"lowest: {result.lowest.principle.numeral} at" in html
        assert f"N/A {result.na_weight_share:.1f}% of weight" in html


def test_a_draft_band_is_marked_provisional_until_complete(client, assessment, officer):
    code = applicable_codes(assessment, "I")[0]
    question = Answer._meta.get_field("question").related_model.objects.get(code=code)
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(question.pk, 0, 4, False, "")],
        by=officer,
    )
    client.force_login(officer)
    html = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "Conformant (provisional)" in html
    assert build_report(assessment=assessment)["overall"]["provisional"] is True


# --- N/A acceptance ---------------------------------------------------------------


def test_approval_is_refused_while_a_not_applicable_answer_is_unaccepted(client, with_na, auditor):
    client.force_login(auditor)
    response = client.post(reverse("assessment_approve", args=[with_na.pk]), OPINION_POST)
    html = response.content.decode()
    assert "Not approved" in html and "3 not accepted yet" in html
    for code in with_na.na_codes:
        assert code in html
    with_na.refresh_from_db()
    assert with_na.status == "submitted" and not AuditOpinion.objects.exists()
    # What the auditor typed is still in the form.
    assert "Consistent with the evidence." in html


def test_auditor_accepts_one_answer_then_a_whole_principle_then_approves(
    client, fake_pdf, with_na, auditor
):
    first, second, third = with_na.na_codes
    client.force_login(auditor)
    response = client.post(reverse("not_applicable_accept", args=[with_na.pk, third]))
    assert response.status_code == 302
    answer = Answer.objects.get(assessment=with_na, question__code=third)
    assert answer.na_accepted_by == auditor and answer.na_accepted_at
    assert services.unaccepted_not_applicable(with_na) == [first, second]
    client.post(reverse("principle_not_applicable_accept", args=[with_na.pk, "I"]))
    assert services.unaccepted_not_applicable(with_na) == []
    response = client.post(reverse("assessment_approve", args=[with_na.pk]), OPINION_POST)
    assert response.status_code == 302
    with_na.refresh_from_db()
    assert with_na.status == "approved"
    doc = build_report(assessment=with_na)
    listed = {na["code"]: na for na in doc["not_applicable"]}
    assert set(listed) == set(with_na.na_codes)
    assert all(na["accepted_by"] == "arthur" and na["accepted_at"] for na in listed.values())
    assert listed[first]["principle"] == "I" and listed[third]["principle"] == "II"
    assert listed[first]["explanation"] == f"{first} does not apply here."


def test_only_auditors_accept_and_only_by_post_with_csrf(
    client, with_na, officer, auditor, outsider
):
    code = with_na.na_codes[0]
    url = reverse("not_applicable_accept", args=[with_na.pk, code])
    client.force_login(officer)
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(auditor)
    assert strict.post(url).status_code == 403
    assert services.unaccepted_not_applicable(with_na) == with_na.na_codes


def test_accepting_needs_a_submitted_assessment_and_a_not_applicable_answer(
    client, with_na, assessment, auditor
):
    client.force_login(auditor)
    level_code = applicable_codes(with_na, "I")[2]
    response = client.post(
        reverse("not_applicable_accept", args=[with_na.pk, level_code]), follow=True
    )
    assert f"No “not applicable” answer to accept for {level_code}" in response.content.decode()
    services.return_assessment(assessment=with_na, by=auditor, comment="Redo.")
    with pytest.raises(services.WorkflowError, match="only while the assessment is under review"):
        services.accept_not_applicable(assessment=with_na, by=auditor, codes=[with_na.na_codes[0]])


def test_changing_an_accepted_answer_clears_its_acceptance(with_na, auditor, officer):
    first, second, _ = with_na.na_codes
    services.accept_not_applicable(assessment=with_na, by=auditor, codes=with_na.na_codes)
    services.return_assessment(assessment=with_na, by=auditor, comment="Check I.")
    with_na.refresh_from_db()
    answer = Answer.objects.get(assessment=with_na, question__code=first)
    services.save_answers(
        assessment=with_na,
        inputs=[
            services.AnswerInput(
                answer.question_id, answer.version, None, True, "A new justification."
            )
        ],
        by=officer,
    )
    services.submit_assessment(assessment=with_na, by=officer)
    with_na.refresh_from_db()
    # The changed answer needs accepting again; the untouched ones keep theirs.
    assert services.unaccepted_not_applicable(with_na) == [first]
    assert Answer.objects.get(assessment=with_na, question__code=second).na_accepted_at


# --- the auditor's opinion ------------------------------------------------------


def test_approval_needs_the_opinion(client, submitted, auditor):
    client.force_login(auditor)
    response = client.post(reverse("assessment_approve", args=[submitted.pk]), {"comment": "ok"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "give your opinion in full" in html
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    with pytest.raises(services.WorkflowError, match="Give your opinion"):
        services.approve_assessment(assessment=submitted, by=auditor)
    with pytest.raises(services.WorkflowError, match="Give your opinion"):
        services.approve_assessment(
            assessment=submitted, by=auditor, opinion=an_opinion(sampling="  ")
        )
    with pytest.raises(services.WorkflowError, match="Give your opinion"):
        services.approve_assessment(
            assessment=submitted, by=auditor, opinion=an_opinion(independent=None)
        )


def test_the_opinion_is_stored_and_is_in_the_report(client, fake_pdf, submitted, auditor):
    client.force_login(auditor)
    post = OPINION_POST | {"independent": "no", "comment": "Fine."}
    response = client.post(reverse("assessment_approve", args=[submitted.pk]), post)
    assert response.status_code == 302
    opinion = AuditOpinion.objects.get(assessment=submitted)
    assert opinion.auditor == auditor and opinion.independent is False
    doc = build_report(assessment=Assessment.objects.get(pk=submitted.pk))
    assert doc["opinion"] == {
        "auditor": "arthur",
        "affiliation": "Example Assurance LLP",
        "independent": False,
        "review_scope": "All principles.",
        "sampling": "One answer in five, at random.",
        "opinion": "Consistent with the evidence.",
        "include_comments": True,
        "given_at": doc["workflow"]["approved_at"],
    }
    html = client.get(reverse("assessment_detail", args=[submitted.pk])).content.decode()
    assert "not independent of the organization" in html


def test_leaving_the_comments_out_empties_them_in_the_report(fake_pdf, submitted, auditor):
    answer = submitted.answers.order_by("pk").first()
    services.add_comment(assessment=submitted, answer=answer, text="Working note.", by=auditor)
    assert any(
        q["comments"]
        for p in build_report(assessment=submitted)["principles"]
        for q in p["questions"]
    )
    approve(submitted, auditor, include_comments=False)
    doc = build_report(assessment=Assessment.objects.get(pk=submitted.pk))
    assert doc["opinion"]["include_comments"] is False
    assert not any(q["comments"] for p in doc["principles"] for q in p["questions"])


def test_the_approve_form_is_offered_to_the_auditor_only(client, submitted, auditor, officer):
    client.force_login(auditor)
    html = client.get(reverse("assessment_detail", args=[submitted.pk])).content.decode()
    assert "Sampling performed" in html and "Are you independent" in html
    client.force_login(officer)
    html = client.get(reverse("assessment_detail", args=[submitted.pk])).content.decode()
    assert "Sampling performed" not in html


# --- the period -------------------------------------------------------------------


def test_period_is_stored_shown_and_in_the_report(client, assessment, officer):
    assert (assessment.period_start, assessment.period_end) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    client.force_login(officer)
    html = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "2026-01-01 to 2026-12-31" in html
    period = build_report(assessment=assessment)["assessment"]["period"]
    assert period == {"start": "2026-01-01", "end": "2026-12-31"}


def test_a_period_ending_before_it_starts_is_refused_and_changes_nothing(
    client, assessment, officer
):
    client.force_login(officer)
    response = client.post(
        reverse("assessment_edit", args=[assessment.pk]),
        {
            "title": "Renamed",
            "scope": assessment.scope,
            "period_start": "2026-12-31",
            "period_end": "2026-01-01",
            "roles": [r.pk for r in assessment.roles.all()],
        },
    )
    assert "The period cannot end before it starts." in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.title == "Chat assistant 2026"
    with pytest.raises(services.WorkflowError, match="cannot end before"):
        services.create_assessment(
            organization=assessment.organization,
            title="x",
            scope="y",
            period_start=date(2026, 2, 1),
            period_end=date(2026, 1, 1),
            by=officer,
        )


def test_the_period_is_required_on_the_forms(client, organization, officer):
    client.force_login(officer)
    response = client.post(
        reverse("assessment_create"),
        {"organization": organization.pk, "title": "Fresh", "scope": "All systems"},
    )
    assert response.status_code == 200
    assert not Assessment.objects.filter(title="Fresh").exists()
    assert "This field is required." in response.content.decode()


def test_the_migration_freezes_the_bands_of_earlier_submissions_with_the_floor_off(
    submitted, settings
):
    import importlib

    from django.apps import apps

    snapshot = submitted.catalogue_snapshot
    del snapshot["scoring"]  # as submitted before bands were frozen
    Assessment.objects.filter(pk=submitted.pk).update(catalogue_snapshot=snapshot)
    migration = importlib.import_module("assessments.migrations.0005_freeze_scoring_rules")
    migration.freeze(apps, None)
    submitted.refresh_from_db()
    frozen = submitted.catalogue_snapshot["scoring"]
    assert [b["threshold"] for b in frozen["bands"]] == [85.0, 60.0, 30.0, None]
    assert frozen["floor_steps"] is None
    settings.CONFORMANCE_BANDS = [(70.0, "conformant", "Conformant")]
    assert services.result_for(submitted).band.key == "largely"


def test_the_methodology_page_states_the_overall_rule_rounding_and_floor(client, officer):
    client.force_login(officer)
    html = client.get(reverse("methodology")).content.decode()
    assert "The overall score: the mean of the principles" in html
    assert "rounded once, half up, to one decimal" in html
    assert "at most 1 band above the band of the weakest scored principle" in html
    assert "An auditor must accept each one before approving" in html
