"""Every error is JSON with a stable code; throttling per token."""

from django.test import Client

from .conftest import bearer, make_token


def test_method_not_allowed(officer_api):
    response = officer_api.delete("/api/catalogue/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_unsupported_media_type(officer_api, assessment):
    response = officer_api.patch(
        f"/api/assessments/{assessment.pk}/answers/", "<a/>", content_type="application/xml"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_malformed_json(officer_api, assessment):
    response = officer_api.patch(
        f"/api/assessments/{assessment.pk}/answers/", "{", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_validation_errors_name_the_fields(officer_api):
    response = officer_api.post("/api/assessments/", {}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["details"]) >= {"title", "scope"}


def test_unknown_addresses_are_json_404(officer_api):
    for method in ("get", "post"):
        response = getattr(officer_api, method)("/api/no-such-thing/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_throttling_per_token(officer, organization, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    _, first = make_token(officer, organization, name="one")
    _, second = make_token(officer, organization, name="two")
    api = bearer(first)
    assert [api.get("/api/whoami/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/whoami/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1
    assert bearer(second).get("/api/whoami/").status_code == 200  # counted per token


def test_anonymous_throttling(db, settings):
    settings.API_THROTTLE_ANON_RATE = "2/minute"
    client = Client()
    assert [client.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
    assert client.get("/api/schema/").status_code == 429


def test_schema_and_docs_are_served_without_any_other_origin(db):
    schema = Client().get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/assessments/{id}/answers/" in paths
    errors = paths["/api/assessments/{id}/answers/"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "415", "429"} <= set(errors)
    docs = Client().get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "PATCH /api/assessments/{id}/answers/" in html
    assert "<script" not in html.replace('<script src="/static/', "")
    assert "http" not in docs["Content-Security-Policy"]
    assert "cdn" not in html.lower()
