"""Starting a revision and copying answers through the API: the pages' services and
rules, JSON errors when refused, other organizations' ids 404."""

from assessments import services
from assessments.models import Answer, Assessment, Membership
from tests.conftest import make_org

from .conftest import bearer, make_token


def api_for(user, organization):
    return bearer(make_token(user, organization)[1])


def test_officer_starts_a_revision_of_an_approved_assessment(approved, officer, organization):
    api = api_for(officer, organization)
    response = api.post(f"/api/assessments/{approved.pk}/revision/")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["predecessor"] == approved.pk
    assert body["revision"] == approved.revision + 1
    revision = Assessment.objects.get(pk=body["id"])
    assert revision.answers.count() == approved.answers.count()
    # The answers are there to read, with versions to change them.
    rows = api.get(f"/api/assessments/{revision.pk}/answers/").json()
    assert all(row["version"] >= 1 for row in rows if row["level"] is not None)
    # A second revision of the same assessment is refused, and nothing is created.
    again = api.post(f"/api/assessments/{approved.pk}/revision/")
    assert again.status_code == 409 and again.json()["code"] == "workflow_refused"
    assert Assessment.objects.filter(predecessor=approved).count() == 1


def test_a_draft_cannot_be_revised(officer_api, assessment):
    response = officer_api.post(f"/api/assessments/{assessment.pk}/revision/")
    assert response.status_code == 409
    assert response.json()["code"] == "workflow_refused"
    assert Assessment.objects.count() == 1


def test_auditors_and_read_only_tokens_cannot_start_a_revision(approved, auditor, officer):
    auditor_api = api_for(auditor, approved.organization)
    response = auditor_api.post(f"/api/assessments/{approved.pk}/revision/")
    assert response.status_code == 403 and response.json()["code"] == "role_required"
    _, secret = make_token(officer, approved.organization, access="read", name="Reader")
    response = bearer(secret).post(f"/api/assessments/{approved.pk}/revision/")
    assert response.status_code == 403 and response.json()["code"] == "token_read_only"
    assert not Assessment.objects.filter(predecessor=approved).exists()


def test_another_organizations_assessment_is_404_for_a_revision(approved, outsider):
    other = Membership.objects.get(user=outsider).organization
    response = api_for(outsider, other).post(f"/api/assessments/{approved.pk}/revision/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def new_draft(organization, officer):
    return services.create_assessment(
        organization=organization, title="Next year", scope="Same.", by=officer
    )


def copy(api, target, **data):
    return api.post(
        f"/api/assessments/{target.pk}/answers/copy/", data, content_type="application/json"
    )


def test_copy_answers_dry_run_then_apply(approved, officer, organization):
    api = api_for(officer, organization)
    target = new_draft(organization, officer)
    dry = copy(api, target, source=approved.pk, principles=["I", "II"])
    assert dry.status_code == 200, dry.json()
    plan = dry.json()
    assert plan["applied"] is False and plan["changed"] == 0
    assert plan["counts"]["new"] > 0 and plan["counts"]["rejected"] == 0
    assert {row["code"].split(".")[0] for row in plan["rows"]} == {"I", "II"}
    assert not Answer.objects.filter(assessment=target).exists()

    done = copy(
        api, target, source=approved.pk, principles=["I", "II"], apply=True, digest=plan["digest"]
    )
    assert done.status_code == 200, done.json()
    assert done.json()["applied"] is True and done.json()["changed"] == plan["counts"]["new"]
    copied = Answer.objects.filter(assessment=target)
    assert copied.count() == plan["counts"]["new"]
    source = {a.question_id: (a.level, a.explanation) for a in approved.answers.all()}
    assert all(source[a.question_id] == (a.level, a.explanation) for a in copied)


def test_copy_with_a_stale_digest_changes_nothing(approved, officer, organization):
    api = api_for(officer, organization)
    target = new_draft(organization, officer)
    response = copy(api, target, source=approved.pk, principles=["I"], apply=True, digest="0" * 64)
    assert response.status_code == 409 and response.json()["code"] == "stale_import"
    assert not Answer.objects.filter(assessment=target).exists()


def test_copy_refusals(approved, officer, organization, auditor):
    api = api_for(officer, organization)
    target = new_draft(organization, officer)
    # Unknown principle: 400 with the form's message, nothing copied.
    bad = copy(api, target, source=approved.pk, principles=["XLII"])
    assert bad.status_code == 400 and "principles" in bad.json()["details"]
    # Into an approved assessment: 409, it is locked.
    locked = copy(api, approved, source=target.pk, principles=["I"])
    assert locked.status_code == 409 and locked.json()["code"] == "assessment_locked"
    # Into itself: not a source (404).
    itself = copy(api, target, source=target.pk, principles=["I"])
    assert itself.status_code == 404
    # Auditors do not copy answers.
    refused = copy(api_for(auditor, organization), target, source=approved.pk, principles=["I"])
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    assert not Answer.objects.filter(assessment=target).exists()


def test_copy_from_another_organization_is_404(assessment, officer, organization):
    elsewhere = make_org("Elsewhere", "elsewhere")
    # Even an officer of both organizations: the source must be of the same one.
    Membership.objects.create(user=officer, organization=elsewhere, role="officer")
    stranger = new_draft(elsewhere, officer)
    response = copy(
        api_for(officer, organization), assessment, source=stranger.pk, principles=["I"]
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
