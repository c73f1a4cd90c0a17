"""E-mails are written in the recipient's language (their profile's), whatever the
language of the request that caused them; a real SMTP server receives them."""

import pytest
from django.utils import translation

from accounts.services import set_user_language
from assessments import services

pytestmark = pytest.mark.django_db


def subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


def test_one_event_mails_each_recipient_in_their_own_language(
    smtp_server, submitted, people, django_capture_on_commit_callbacks
):
    set_user_language(user=people["officer"], language="ja")
    set_user_language(user=people["colleague"], language="en")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.return_assessment(
            assessment=submitted, by=people["auditor"], comment="Evidence for I.3 is missing."
        )
    japanese = smtp_server.wait_for(to="olivia@example.com")
    english = smtp_server.wait_for(to="carla@example.com")
    assert subject(japanese).startswith("[HAIP 自己評価] arthur が「")
    assert "を修正のため差し戻しました" in subject(japanese)
    body = smtp_server.text(japanese)
    assert "olivia さん" in body and "Evidence for I.3 is missing." in body
    assert "returned" not in body
    assert '<html lang="ja">' in smtp_server.html(japanese)
    assert subject(english).startswith("[HAIP self-assessment] arthur returned “")
    assert "Hello carla," in smtp_server.text(english)
    assert '<html lang="en">' in smtp_server.html(english)


def test_without_a_chosen_language_the_site_default_is_used_not_the_requests(
    smtp_server, submitted, people, django_capture_on_commit_callbacks
):
    with translation.override("ja"), django_capture_on_commit_callbacks(execute=True):
        services.return_assessment(assessment=submitted, by=people["auditor"], comment="Fix.")
    message = smtp_server.wait_for(to="carla@example.com")
    assert subject(message).startswith("[HAIP self-assessment]")
