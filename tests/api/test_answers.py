"""Answers, evidence and the assessment's details through the API: the same rules
as the questionnaire page, optimistic versions, and 404 for other organizations."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.services import set_user_language
from assessments import services
from assessments.models import Answer, Evidence

from .conftest import bearer, make_token


def patch_answers(api, assessment, *changes):
    return api.patch(
        f"/api/assessments/{assessment.pk}/answers/",
        {"answers": list(changes)},
        content_type="application/json",
    )


def test_officer_saves_answers_and_gets_new_versions(officer_api, assessment):
    response = patch_answers(
        officer_api, assessment, {"code": "I.1", "version": 0, "level": 3, "explanation": "Done."}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["changed"] == 1
    assert body["answers"][0] | {"updated_at": None} == body["answers"][0] | {
        "code": "I.1",
        "level": 3,
        "version": 1,
        "explanation": "Done.",
        "updated_by": "olivia",
        "updated_at": None,
    }
    answer = Answer.objects.get(assessment=assessment, question__code="I.1")
    assert (answer.level, answer.version) == (3, 1)
    assert answer.history.count() == 1  # the same history as the pages write


def test_stale_version_is_409_with_the_current_answer_and_saves_nothing(
    officer_api, assessment, officer
):
    first = {"code": "I.1", "version": 0, "level": 3, "explanation": "Theirs."}
    assert patch_answers(officer_api, assessment, first).status_code == 200
    response = patch_answers(
        officer_api,
        assessment,
        {"code": "I.2", "version": 0, "level": 1, "explanation": "New."},
        {"code": "I.1", "version": 0, "level": 1, "explanation": "Mine."},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    question_id = Answer.objects.get(assessment=assessment, question__code="I.1").question_id
    assert body["details"] == [
        {
            "question_id": question_id,
            "current": {
                "level": 3,
                "not_applicable": False,
                "explanation": "Theirs.",
                "version": 1,
                "updated_by": "olivia",
            },
        }
    ]
    assert not Answer.objects.filter(assessment=assessment, question__code="I.2").exists()


def test_fields_left_out_keep_their_value(officer_api, assessment):
    patch_answers(
        officer_api, assessment, {"code": "I.1", "version": 0, "level": 3, "explanation": "Kept."}
    )
    response = patch_answers(officer_api, assessment, {"code": "I.1", "version": 1, "level": 2})
    answer = response.json()["answers"][0]
    assert (answer["level"], answer["explanation"], answer["version"]) == (2, "Kept.", 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"not_applicable": True, "explanation": ""}, "explanation"),
        ({"level": 4, "explanation": "All of it."}, "response"),
        ({"level": 2, "add_link": {"url": "not a link", "description": "x"}}, "evidence_url"),
    ],
)
def test_the_page_rules_apply_and_nothing_is_saved(officer_api, assessment, change, field):
    response = patch_answers(officer_api, assessment, {"code": "I.1", "version": 0, **change})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["details"]["I.1"]
    assert not assessment.answers.exists()


def test_unknown_or_inapplicable_codes_are_refused(officer_api, assessment):
    response = patch_answers(officer_api, assessment, {"code": "XIII.9", "version": 0, "level": 1})
    assert response.status_code == 400
    assert "XIII.9" in response.json()["details"]


def test_a_link_is_added_and_listed_as_evidence(officer_api, assessment):
    link = {"url": "https://example.org/policy", "description": "Policy"}
    response = patch_answers(
        officer_api,
        assessment,
        {"code": "I.1", "version": 0, "level": 4, "explanation": "Policy.", "add_link": link},
    )
    assert response.status_code == 200
    evidence = officer_api.get(f"/api/assessments/{assessment.pk}/evidence/").json()
    assert [(e["question"], e["url"], e["description"]) for e in evidence] == [
        ("I.1", "https://example.org/policy", "Policy")
    ]


def _upload(api, assessment, name, content, version=0, code="I.1"):
    return api.post(
        f"/api/assessments/{assessment.pk}/answers/{code}/evidence/",
        {"file": SimpleUploadedFile(name, content), "version": version, "description": "Doc"},
    )


def test_evidence_file_upload_with_the_page_checks(officer_api, assessment, settings):
    response = _upload(officer_api, assessment, "plan.txt", b"Our test plan.\n")
    assert response.status_code == 201
    row = response.json()
    assert row["version"] == 1
    item = row["evidence"][0]
    assert item["file_name"] == "plan.txt" and len(item["sha256"]) == 64
    download = officer_api.get(item["download"])
    assert download.status_code == 200 and download.content == b"Our test plan.\n"

    wrong = _upload(officer_api, assessment, "plan.pdf", b"not a pdf", version=1)
    assert wrong.status_code == 415
    assert wrong.json()["code"] == "file_type_not_accepted"

    settings.EVIDENCE_MAX_BYTES = 10
    big = _upload(officer_api, assessment, "big.txt", b"x" * 11, version=1)
    assert big.status_code == 413
    assert big.json()["code"] == "file_too_large"

    stale = _upload(officer_api, assessment, "late.txt", b"late", version=0)
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert Evidence.objects.count() == 1


def test_request_over_the_size_limit_is_refused_as_json(officer_api, assessment, settings):
    settings.REQUEST_MAX_BYTES = 100
    response = patch_answers(
        officer_api, assessment, {"code": "I.1", "version": 0, "explanation": "x" * 200}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert response.json()["details"] == {"limit_bytes": 100}


def test_an_approved_assessment_is_locked(approved, officer):
    _, secret = make_token(officer, approved.organization)
    response = patch_answers(bearer(secret), approved, {"code": "I.1", "version": 1, "level": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "assessment_locked"


def test_auditors_cannot_answer(auditor_api, assessment):
    response = patch_answers(auditor_api, assessment, {"code": "I.1", "version": 0, "level": 1})
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"


def test_outsiders_get_404_for_every_address_of_an_assessment(outsider, assessment):
    _, secret = make_token(outsider, outsider.memberships.get().organization)
    api = bearer(secret)
    base = f"/api/assessments/{assessment.pk}/"
    for path in [
        "",
        "answers/",
        "evidence/",
        "history/",
        "comments/",
        "report.json",
        "report.csv",
        "report.pdf",
        "answers.csv",
    ]:
        response = api.get(base + path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert api.post(base + "submit/").status_code == 404
    missing = api.get("/api/assessments/999999/")
    assert missing.status_code == 404 and missing.json() == response.json()


def test_create_and_change_details(officer_api, organization):
    response = officer_api.post(
        "/api/assessments/",
        {"title": "API-made", "scope": "Everything", "roles": ["development"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["roles"] == ["development"] and created["status"] == "draft"
    assert created["organization"] == organization.pk
    response = officer_api.patch(
        f"/api/assessments/{created['id']}/",
        {"title": "Renamed", "roles": ["development", "use"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["roles"] == ["development", "use"]
    bad = officer_api.patch(
        f"/api/assessments/{created['id']}/",
        {"period_start": "2026-02-01", "period_end": "2026-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 409 and bad.json()["code"] == "workflow_refused"


def test_session_writes_need_csrf(officer, assessment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.get(f"/api/assessments/{assessment.pk}/answers/").status_code == 200
    response = patch_answers(client, assessment, {"code": "I.1", "version": 0, "level": 1})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_answers_read_has_a_constant_query_count(
    officer_api, assessment, officer, auditor, django_assert_max_num_queries
):
    services.save_answers(
        assessment=assessment,
        inputs=[
            services.AnswerInput(
                question_id=q.question.id,
                seen_version=0,
                level=2,
                not_applicable=False,
                explanation="x",
                new_evidence=services.NewEvidence(description="d", url="https://example.org/"),
            )
            for p in services.result_for(assessment).principles
            for q in p.questions
        ],
        by=officer,
    )
    # Every answer marked reviewed: the reviewer comes with the answers, not one by one.
    assessment.answers.update(reviewed_by=auditor, reviewed_at=timezone.now())
    set_user_language(user=officer, language="ja")  # the profile comes with the token
    with django_assert_max_num_queries(12):
        response = officer_api.get(f"/api/assessments/{assessment.pk}/answers/")
    assert response.status_code == 200 and len(response.json()) > 20
    assert all(row["reviewed_by"] == "arthur" for row in response.json())
    assert response["Content-Language"] == "ja"
