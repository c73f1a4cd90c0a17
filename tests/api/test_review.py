"""The review workflow through the API: submit, comment, return, accept N/A, approve
with the auditor's opinion; history, reports and answer imports."""

import logging

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Assessment, AuditOpinion, Comment
from tests.conftest import answer_everything

OPINION = {
    "review_scope": "All principles.",
    "sampling": "One in five answers.",
    "opinion": "Consistent with the evidence.",
    "affiliation": "Example Assurance LLP",
    "independent": True,
}


def post(api, assessment, action, data=None):
    return api.post(
        f"/api/assessments/{assessment.pk}/{action}/", data or {}, content_type="application/json"
    )


def test_submit_refused_while_questions_are_unanswered(officer_api, assessment):
    response = post(officer_api, assessment, "submit")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "workflow_refused" and "I.1" in body["details"]
    assessment.refresh_from_db()
    assert assessment.is_draft


def test_submit_comment_return_cycle(officer_api, auditor_api, assessment, officer):
    answer_everything(assessment, officer)
    response = post(officer_api, assessment, "submit")
    assert response.status_code == 200 and response.json()["status"] == "submitted"

    response = auditor_api.post(
        f"/api/assessments/{assessment.pk}/answers/I.1/comments/",
        {"text": "Which tests?"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["question"] == "I.1"
    assert Comment.objects.get().text == "Which tests?"
    assert post(officer_api, assessment, "return", {"comment": "x"}).status_code == 403

    refused = post(auditor_api, assessment, "return", {"comment": ""})
    assert refused.status_code == 409 and refused.json()["code"] == "workflow_refused"
    response = post(auditor_api, assessment, "return", {"comment": "Name the tests."})
    assert response.status_code == 200 and response.json()["status"] == "draft"

    history = officer_api.get(f"/api/assessments/{assessment.pk}/history/").json()
    assert [e["action"] for e in history["events"]] == ["created", "submitted", "returned"]
    assert history["comments"][0]["text"] == "Which tests?"
    assert history["changes"]


def test_approve_requires_the_opinion_as_the_page_does(submitted, auditor_api):
    response = post(auditor_api, submitted, "approve", {})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "opinion_required"
    assert set(body["details"]) == {
        "review_scope",
        "sampling",
        "opinion",
        "affiliation",
        "independent",
    }
    partial = post(auditor_api, submitted, "approve", OPINION | {"opinion": "  "})
    assert partial.status_code == 400 and "opinion" in partial.json()["details"]
    submitted.refresh_from_db()
    assert submitted.is_submitted and not AuditOpinion.objects.exists()


def test_approve_with_the_opinion(
    submitted, auditor_api, officer_api, django_capture_on_commit_callbacks
):
    assert post(officer_api, submitted, "approve", OPINION).status_code == 403
    with django_capture_on_commit_callbacks(execute=False):
        response = post(
            auditor_api,
            submitted,
            "approve",
            OPINION | {"comment": "Fine.", "confirm_unreviewed": True},
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    opinion = AuditOpinion.objects.get(assessment=submitted)
    assert opinion.affiliation == "Example Assurance LLP" and opinion.independent is True
    # The report is issued after the commit by a worker: until then, 409.
    pending = auditor_api.get(f"/api/assessments/{submitted.pk}/report.json")
    assert pending.status_code == 409 and pending.json()["code"] == "report_not_issued"


def test_not_applicable_answers_are_accepted_before_approval(
    assessment, officer, auditor_api, officer_api
):
    answer_everything(assessment, officer)
    row = officer_api.get(f"/api/assessments/{assessment.pk}/answers/").json()[0]
    response = officer_api.patch(
        f"/api/assessments/{assessment.pk}/answers/",
        {
            "answers": [
                {
                    "code": row["code"],
                    "version": row["version"],
                    "not_applicable": True,
                    "explanation": "We do not train models.",
                }
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    post(officer_api, assessment, "submit")
    refused = post(auditor_api, assessment, "approve", OPINION)
    assert refused.status_code == 409 and refused.json()["details"] == [row["code"]]
    bad = post(auditor_api, assessment, "accept-not-applicable", {})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    accepted = post(auditor_api, assessment, "accept-not-applicable", {"codes": [row["code"]]})
    assert accepted.status_code == 200 and accepted.json() == {"accepted": [row["code"]]}


def test_reports_of_an_issued_assessment(approved, officer):
    from .conftest import bearer, make_token

    _, secret = make_token(officer, approved.organization)
    api = bearer(secret)
    base = f"/api/assessments/{approved.pk}/"
    document = api.get(base + "report.json")
    assert document.status_code == 200 and document["Content-Type"].startswith("application/json")
    assert document.json()["report_id"] == approved.report_id
    pdf = api.get(base + "report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv = api.get(base + "report.csv")
    assert csv.status_code == 200 and approved.report_id in csv.content.decode("utf-8-sig")
    oscal = api.get(base + "results.oscal.json")
    assert oscal.status_code == 200 and "assessment-results" in oscal.json()


def test_import_dry_run_then_apply(officer_api, assessment, officer):
    services.save_answers(
        assessment=assessment,
        inputs=[
            services.AnswerInput(
                question_id=1, seen_version=0, level=1, not_applicable=False, explanation="Old."
            )
        ],
        by=officer,
    )
    exported = officer_api.get(f"/api/assessments/{assessment.pk}/answers.csv")
    assert exported.status_code == 200
    text = "code,level,explanation,evidence_links\nI.1,3,New.,\n"
    url = f"/api/assessments/{assessment.pk}/answers/import/"
    dry = officer_api.post(url, {"file": SimpleUploadedFile("a.csv", text.encode())})
    assert dry.status_code == 200, dry.json()
    assert dry.json()["applied"] is False and dry.json()["counts"]["changed"] == 1
    assert assessment.answers.get().level == 1
    done = officer_api.post(
        url, {"file": SimpleUploadedFile("a.csv", text.encode()), "apply": "true"}
    )
    assert done.status_code == 200 and done.json()["changed"] == 1
    assert assessment.answers.get().level == 3


def test_every_call_is_logged_with_the_token_name(officer_api, assessment, caplog):
    with caplog.at_level(logging.INFO, logger="api"):
        officer_api.get(f"/api/assessments/{assessment.pk}/")
        officer_api.post(f"/api/assessments/{assessment.pk + 1000}/submit/")
    records = [r for r in caplog.records if r.name == "api"]
    assert [(r.api_token, r.status_code) for r in records] == [
        ("CI pipeline", 200),
        ("CI pipeline", 404),
    ]
    assert "token=CI pipeline" in records[0].getMessage()
    assert Assessment.objects.count() == 1


def test_approving_unreviewed_answers_needs_confirmation_as_on_the_page(
    submitted, auditor_api, officer_api, django_capture_on_commit_callbacks
):
    refused = post(auditor_api, submitted, "approve", OPINION)
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "unreviewed_answers" and "I.1" in body["details"]
    submitted.refresh_from_db()
    assert submitted.is_submitted
    # Officers do not mark answers reviewed.
    assert post(officer_api, submitted, "reviewed", {"codes": ["I.1"]}).status_code == 403
    marked = post(auditor_api, submitted, "reviewed", {"codes": ["I.1"]})
    assert marked.status_code == 200 and marked.json() == {"changed": ["I.1"]}
    row = next(
        r
        for r in auditor_api.get(f"/api/assessments/{submitted.pk}/answers/").json()
        if r["code"] == "I.1"
    )
    assert row["reviewed"] is True and row["reviewed_by"] == "arthur" and row["reviewed_at"]
    unmarked = post(auditor_api, submitted, "reviewed", {"codes": ["I.1"], "reviewed": False})
    assert unmarked.json() == {"changed": ["I.1"]}
    rows = auditor_api.get(f"/api/assessments/{submitted.pk}/answers/").json()
    numerals = sorted({r["principle"] for r in rows})
    for numeral in numerals:
        assert post(auditor_api, submitted, "reviewed", {"principle": numeral}).status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        approved = post(auditor_api, submitted, "approve", OPINION)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_approving_with_confirmation_of_unreviewed_answers(
    submitted, auditor_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = post(auditor_api, submitted, "approve", OPINION | {"confirm_unreviewed": True})
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_a_blocking_thread_keeps_the_api_from_approving(submitted, auditor_api):
    auditor_api.post(
        f"/api/assessments/{submitted.pk}/answers/I.1/comments/",
        {"text": "Show the tests.", "blocking": True},
        content_type="application/json",
    )
    refused = post(auditor_api, submitted, "approve", OPINION | {"confirm_unreviewed": True})
    assert refused.status_code == 409
    assert refused.json()["code"] == "workflow_refused" and refused.json()["details"] == ["I.1"]
