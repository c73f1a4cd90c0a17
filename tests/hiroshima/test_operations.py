"""Operations: no caching of private pages, /healthz reachable over plain HTTP behind
the HTTPS redirect, and errors logged with their tracebacks to stderr."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse

from assessments import services
from assessments.models import Evidence
from hiroshima.middleware import PrivateCacheMiddleware

pytestmark = pytest.mark.django_db


def assert_private_no_store(response):
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, response.headers.get("Cache-Control")


def test_signed_in_pages_reports_and_downloads_are_not_stored(client, officer, assessment):
    question = services.result_for(assessment).principles[0].questions[0].question
    upload = SimpleUploadedFile("policy.txt", b"Our policy.\n")
    services.save_answers(
        assessment=assessment,
        inputs=[
            services.AnswerInput(
                question_id=question.id,
                seen_version=0,
                level=2,
                not_applicable=False,
                explanation="Done.",
                new_evidence=services.NewEvidence(description="Policy", upload=upload),
            )
        ],
        by=officer,
    )
    evidence = Evidence.objects.get()
    client.force_login(officer)
    for url in (
        reverse("dashboard"),
        reverse("assessment_detail", args=[assessment.pk]),
        reverse("questionnaire", args=[assessment.pk, "I"]),
        reverse("report_preview", args=[assessment.pk]),
        reverse("report_json", args=[assessment.pk]),
        reverse("report_csv", args=[assessment.pk]),
        reverse("evidence_download", args=[assessment.pk, evidence.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private_no_store(response)


def test_an_attachment_is_not_stored_even_for_an_anonymous_request(rf):
    def view(request):
        response = HttpResponse(b"data")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        return response

    request = rf.get("/")
    request.user = AnonymousUser()
    assert_private_no_store(PrivateCacheMiddleware(view)(request))


def test_an_anonymous_page_keeps_its_own_caching(rf):
    def view(request):
        response = HttpResponse(b"public")
        response["Cache-Control"] = "max-age=60"
        return response

    request = rf.get("/")
    request.user = AnonymousUser()
    assert PrivateCacheMiddleware(view)(request).headers["Cache-Control"] == "max-age=60"


def test_health_answers_plain_http_while_everything_else_redirects(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.json()["status"] == "ok"
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


# --- logging, with the production settings, in a separate process ----------------------

FAILING_REQUEST = textwrap.dedent(
    """
    import django
    django.setup()
    from unittest import mock
    from django.contrib.auth import views
    from django.test import Client

    client = Client(raise_request_exception=False, HTTP_HOST="haip.example.org")
    with mock.patch.object(views.LoginView, "get", side_effect=RuntimeError("boom for the log")):
        assert client.get("/accounts/login/", secure=True).status_code == 500
    assert client.post("/healthz", secure=True).status_code == 405
    """
)


def run_failing_request(tmp_path, **env_extra) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="hiroshima.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="logging-test-" + "s" * 40,
        DJANGO_ALLOWED_HOSTS="haip.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env_extra,
    )
    result = subprocess.run(
        [sys.executable, "-c", FAILING_REQUEST],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_server_error_in_production_logs_its_traceback_to_stderr(tmp_path):
    stderr = run_failing_request(tmp_path)
    assert "ERROR django.request: Internal Server Error: /accounts/login/" in stderr
    assert "Traceback (most recent call last)" in stderr
    assert "RuntimeError: boom for the log" in stderr
    assert "WARNING django.request: Method Not Allowed (POST): /healthz" in stderr


def test_json_log_format_writes_one_object_per_line(tmp_path):
    stderr = run_failing_request(tmp_path, DJANGO_LOG_FORMAT="json")
    records = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    error = next(r for r in records if r["level"] == "ERROR")
    assert error["logger"] == "django.request"
    assert error["status"] == 500 and error["path"] == "/accounts/login/"
    assert error["method"] == "GET"
    assert "RuntimeError: boom for the log" in error["exception"]
    assert "Traceback (most recent call last)" in error["exception"]
    warning = next(r for r in records if r["logger"] == "django.request" and r["status"] == 405)
    assert warning["status"] == 405 and warning["path"] == "/healthz"
