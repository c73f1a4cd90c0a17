"""Production hardening: deploy checks, headers, cookies, login throttling, sessions."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests import pki
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "haip.example.org",
    "DATABASE_URL": "postgres://haip:secret@db.internal:5432/haip",
    "DJANGO_EMAIL_URL": "smtp+tls://haip:secret@mail.internal:587",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_the_production_variables(signing_identity):
    env = {
        **PRODUCTION_ENV,
        "REPORT_SIGNING_P12": str(signing_identity.p12),
        "REPORT_SIGNING_P12_PASSPHRASE": pki.PASSPHRASE,
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_reports_a_missing_signing_certificate():
    result = manage("check", "--deploy", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "reports.E001" in result.stderr + result.stdout
    assert "no signing certificate is configured" in result.stderr + result.stdout


def test_a_missing_secret_key_is_a_clear_start_up_error_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "default-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_page_has_inline_script(client, officer, assessment):
    client.force_login(officer)
    for url in (reverse("dashboard"), reverse("questionnaire", args=[assessment.pk, "I"])):
        html = client.get(url).content.decode()
        assert "<script" not in html.replace('<script src="', "")


def test_https_responses_carry_hsts_and_secure_cookies(client, officer):
    response = client.post(
        reverse("login"), {"username": "olivia", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"]


def test_sessions_expire(client, officer):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    client.post(reverse("login"), {"username": "olivia", "password": PASSWORD}, secure=True)
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_repeated_failed_logins_lock_the_username(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "olivia", "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = client.post(reverse("login"), {"username": "olivia", "password": "wrong"})
    assert response.status_code == 429
    # Locked: even the right password is refused, with a clear message.
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_resets_the_count(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "olivia", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
