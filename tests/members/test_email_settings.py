"""E-mail settings from the environment (hiroshima/email.py) and the deploy check."""

import pytest
from django.core.checks import run_checks

from hiroshima.email import CONSOLE, SMTP, EmailConfigError, email_settings


def test_nothing_set_means_the_console():
    values = email_settings({})
    assert values["EMAIL_BACKEND"] == CONSOLE
    assert "noreply" in values["DEFAULT_FROM_EMAIL"]


def test_smtp_url_with_starttls_and_encoded_password():
    values = email_settings(
        {
            "DJANGO_EMAIL_URL": "smtp+tls://mailer%40example.org:p%40ss:w0rd@mail.example.org:2525",
            "DJANGO_DEFAULT_FROM_EMAIL": "HAIP <haip@example.org>",
        }
    )
    assert values["EMAIL_BACKEND"] == SMTP
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("mail.example.org", 2525)
    assert values["EMAIL_HOST_USER"] == "mailer@example.org"
    assert values["EMAIL_HOST_PASSWORD"] == "p@ss:w0rd"
    assert (values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (True, False)
    assert values["DEFAULT_FROM_EMAIL"] == values["SERVER_EMAIL"] == "HAIP <haip@example.org>"


@pytest.mark.parametrize(
    "url, port, tls, ssl",
    [
        ("smtp://relay", 25, False, False),
        ("smtp+ssl://u:p@relay", 465, False, True),
        ("smtp+tls://relay", 587, True, False),
        ("smtp://relay:26?tls=1", 26, True, False),
    ],
)
def test_default_ports_follow_the_scheme(url, port, tls, ssl):
    values = email_settings({"DJANGO_EMAIL_URL": url})
    assert (values["EMAIL_PORT"], values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (
        port,
        tls,
        ssl,
    )


def test_console_url():
    assert email_settings({"DJANGO_EMAIL_URL": "console://"})["EMAIL_BACKEND"] == CONSOLE


@pytest.mark.parametrize(
    "url", ["http://relay", "smtp://", "smtp://relay:port", "smtp+ssl://relay?tls=1"]
)
def test_bad_urls_are_refused_with_a_message(url):
    with pytest.raises(EmailConfigError, match="DJANGO_EMAIL_URL"):
        email_settings({"DJANGO_EMAIL_URL": url})


def test_separate_variables():
    values = email_settings(
        {
            "DJANGO_EMAIL_HOST": "relay.example.org",
            "DJANGO_EMAIL_HOST_USER": "u",
            "DJANGO_EMAIL_HOST_PASSWORD": "p",
            "DJANGO_EMAIL_USE_SSL": "1",
        }
    )
    assert values["EMAIL_BACKEND"] == SMTP
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"], values["EMAIL_USE_SSL"]) == (
        "relay.example.org",
        465,
        True,
    )
    with pytest.raises(EmailConfigError):
        email_settings({"DJANGO_EMAIL_HOST": "h", "DJANGO_EMAIL_PORT": "x"})
    with pytest.raises(EmailConfigError):
        email_settings(
            {"DJANGO_EMAIL_HOST": "h", "DJANGO_EMAIL_USE_TLS": "1", "DJANGO_EMAIL_USE_SSL": "1"}
        )


def test_deploy_check_warns_about_the_console_backend(settings):
    settings.EMAIL_BACKEND = CONSOLE
    ids = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "members.W001" in ids
    settings.EMAIL_BACKEND = SMTP
    ids = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "members.W001" not in ids
