"""Personal access tokens: stored hashed, shown once, scoped, read-only, expiring,
revocable; the tokens page."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from assessments.models import Membership
from tests.conftest import make_org

from .conftest import bearer, make_token


def test_only_a_sha256_of_the_secret_is_stored(officer, organization):
    token, secret = make_token(officer, organization)
    assert secret.startswith("haip_") and len(secret) > 40
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert secret not in [str(v) for v in stored.values()]
    assert token.hint == secret[:9]


def test_a_token_reaches_the_api_and_records_its_last_use(officer, organization):
    token, secret = make_token(officer, organization)
    assert token.last_used_at is None
    response = bearer(secret).get("/api/whoami/")
    assert response.status_code == 200
    assert response.json()["token"] == "CI pipeline"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer haip_not-a-real-token", "token_invalid"),
        ("Bearer", "token_malformed"),
        ("Bearer a b", "token_malformed"),
    ],
)
def test_bad_tokens_get_401_with_a_code(db, header, code):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/whoami/")
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_get_401(db):
    response = Client().get("/api/assessments/")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": response.json()["message"],
        "details": None,
    }


def test_an_expired_token_is_refused(officer, organization):
    token, secret = make_token(officer, organization)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(secret).get("/api/whoami/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_a_revoked_token_is_refused(officer, organization):
    token, secret = make_token(officer, organization)
    assert tokens.revoke_token(token=token, by=officer)
    response = bearer(secret).get("/api/whoami/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_expiry_is_bounded_by_the_settings(officer, organization, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    with pytest.raises(tokens.TokenRefused):
        make_token(officer, organization, days=31)
    token, _ = make_token(officer, organization, days=30)
    assert token.expires_at - token.created_at <= timedelta(days=30)
    settings.API_TOKEN_DEFAULT_DAYS = 7
    token, _ = make_token(officer, organization)
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)


def test_a_token_needs_membership_of_its_organization(officer):
    other = make_org("Elsewhere", "elsewhere")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_token(officer, other)


def test_a_token_reaches_only_its_organization(officer, organization, assessment):
    second = make_org("Second Org", "second")
    Membership.objects.create(user=officer, organization=second, role=Membership.Role.OFFICER)
    _, secret = make_token(officer, second)
    api = bearer(secret)
    assert api.get("/api/assessments/").json() == []
    assert [o["slug"] for o in api.get("/api/organizations/").json()] == ["second"]
    response = api.get(f"/api/assessments/{assessment.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    # ...while the session (the browser) sees every organization of the user.
    session = Client()
    session.force_login(officer)
    assert session.get(f"/api/assessments/{assessment.pk}/").status_code == 200


def test_a_token_cannot_create_in_another_organization(officer, organization):
    second = make_org("Second Org", "second")
    Membership.objects.create(user=officer, organization=second, role=Membership.Role.OFFICER)
    _, secret = make_token(officer, second)
    response = bearer(secret).post(
        "/api/assessments/",
        {"organization": organization.pk, "title": "T", "scope": "S"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_read_only_token_reads_but_gets_403_on_writes(reader_api, assessment):
    assert reader_api.get(f"/api/assessments/{assessment.pk}/answers/").status_code == 200
    response = reader_api.post(f"/api/assessments/{assessment.pk}/submit/")
    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"
    response = reader_api.patch(
        f"/api/assessments/{assessment.pk}/answers/",
        {"answers": [{"code": "I.1", "version": 0, "level": 2, "explanation": "x"}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not assessment.answers.exists()


def test_tokens_page_shows_a_new_token_once(officer, organization):
    client = Client()
    client.force_login(officer)
    response = client.post(
        "/account/tokens/",
        {"name": "GRC sync", "organization": organization.pk, "access": "read", "days": 30},
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    secret = response.context["secret"]
    assert secret.startswith("haip_") and secret in response.content.decode()
    assert (
        response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]
    )
    token = ApiToken.objects.get(name="GRC sync")
    assert token.access == "read" and token.organization == organization
    again = client.get("/account/tokens/").content.decode()
    assert secret not in again and token.hint in again
    assert bearer(secret).get("/api/whoami/").status_code == 200


def test_tokens_page_revokes_and_only_ones_own(officer, organization, auditor):
    token, secret = make_token(officer, organization)
    theirs, _ = make_token(auditor, organization)
    client = Client()
    client.force_login(officer)
    assert client.post(f"/account/tokens/{theirs.pk}/revoke/").status_code == 404
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    theirs.refresh_from_db()
    assert token.is_revoked and not theirs.is_revoked
    assert bearer(secret).get("/api/whoami/").status_code == 401


def test_tokens_page_refuses_more_days_than_allowed(officer, organization, settings):
    settings.API_TOKEN_MAX_DAYS = 10
    client = Client()
    client.force_login(officer)
    response = client.post(
        "/account/tokens/",
        {"name": "Long", "organization": organization.pk, "access": "write", "days": 11},
    )
    assert response.status_code == 200 and response.context["secret"] is None
    assert not ApiToken.objects.exists()


def test_tokens_page_needs_sign_in_and_offers_only_ones_organizations(officer, outsider):
    assert Client().get("/account/tokens/").status_code == 302
    client = Client()
    client.force_login(officer)
    page = client.get("/account/tokens/")
    names = [o.name for o in page.context["form"].fields["organization"].queryset]
    assert names == ["Example AI Labs"]
    assert "/account/tokens/" in client.get("/").content.decode()  # the user menu's link


def test_a_token_loses_access_with_its_users_membership(officer, organization, assessment):
    _, secret = make_token(officer, organization)
    api = bearer(secret)
    assert api.get(f"/api/assessments/{assessment.pk}/").status_code == 200
    Membership.objects.filter(user=officer).delete()
    assert api.get(f"/api/assessments/{assessment.pk}/").status_code == 404
    assert api.get("/api/organizations/").json() == []


def test_a_deactivated_users_token_is_refused(officer, organization):
    _, secret = make_token(officer, organization)
    officer.is_active = False
    officer.save()
    response = bearer(secret).get("/api/whoami/")
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"
