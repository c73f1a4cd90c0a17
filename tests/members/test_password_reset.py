"""Branded password reset and change, linked from the sign-in page."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
NEW = "a-new-lunar-password-42"


def test_sign_in_page_links_to_reset(client):
    content = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in content and "Forgot your password?" in content


def test_reset_by_mail_in_text_and_html(client):
    user = make_user("ann", email="ann@example.org")
    page = client.get(reverse("password_reset"))
    assert "Reset your password" in page.content.decode()
    assert 'href="/static/bootstrap' in page.content.decode()  # our base.html, not the admin's
    response = client.post(reverse("password_reset"), {"email": "ann@example.org"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    (message,) = mail.outbox
    assert message.subject == "Reset your password for the HAIP self-assessment"
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    assert link in message.alternatives[0][0]
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "Your new password is set." in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW)
    again = client.get(link, follow=True)
    assert "This link does not work" in again.content.decode()


def test_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your e-mail" in response.content.decode() and not mail.outbox


def test_password_change_page_is_branded(client):
    user = make_user("ann")
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert "Change your password" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert "Your password was changed." in response.content.decode()
