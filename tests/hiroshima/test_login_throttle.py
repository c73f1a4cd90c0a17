"""Failed sign-ins are throttled per username and address, per address, per username
across addresses, and for unknown usernames together (hiroshima/throttle.py)."""

import pytest
from django.urls import reverse

from hiroshima.throttle import client_ip
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address, remote="127.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "olivia", "wrong", "198.51.100.7")
    # The guessing address is refused, even with the right password...
    assert sign_in(client, "olivia", PASSWORD, "198.51.100.7").status_code == 429
    # ...while Olivia, elsewhere, signs in.
    assert sign_in(client, "olivia", PASSWORD, "203.0.113.20").status_code == 302


def test_spraying_many_usernames_from_one_address_is_slowed(client, officer, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    for number in range(8):
        response = sign_in(client, f"guess{number}", "Winter2026!", "198.51.100.8")
        assert response.status_code in (200, 429)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert sign_in(client, "olivia", PASSWORD, "198.51.100.8").status_code == 429
    assert sign_in(client, "olivia", PASSWORD, "203.0.113.21").status_code == 302


def test_guessing_one_password_from_many_addresses_locks_the_account(client, officer, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME = 8
    for number in range(8):
        sign_in(client, "olivia", "wrong", f"198.51.100.{20 + number}")
    assert sign_in(client, "olivia", PASSWORD, "203.0.113.22").status_code == 429


def test_refused_attempts_do_not_count_so_one_address_cannot_lock_the_account(
    client, officer, settings
):
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME = 8
    for _ in range(settings.AXES_FAILURE_LIMIT + 10):
        sign_in(client, "olivia", "wrong", "198.51.100.9")
    assert sign_in(client, "olivia", PASSWORD, "203.0.113.23").status_code == 302


def test_unknown_usernames_are_throttled_together_across_addresses(client, officer, settings):
    settings.LOGIN_FAILURE_LIMIT_UNKNOWN_USERNAMES = 6
    for number in range(5):
        response = sign_in(client, f"nobody{number}", "x", f"198.51.100.{40 + number}")
        assert response.status_code == 200
    # The sixth reaches the limit.
    assert sign_in(client, "nobody5", "x", "198.51.100.45").status_code == 429
    assert sign_in(client, "nobody-else", "x", "198.51.100.99").status_code == 429
    # Real accounts are not affected.
    assert sign_in(client, "olivia", PASSWORD, "198.51.100.99").status_code == 302


def test_a_successful_sign_in_clears_only_its_own_failures(client, officer, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 6
    for number in range(5):
        sign_in(client, f"guess{number}", "x", "198.51.100.10")
    assert sign_in(client, "olivia", PASSWORD, "198.51.100.10").status_code == 302
    client.logout()
    # The address's five failures still count: one more and it is refused.
    sign_in(client, "guess9", "x", "198.51.100.10")
    assert sign_in(client, "olivia", PASSWORD, "198.51.100.10").status_code == 429


def test_forwarded_addresses_are_believed_only_from_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    assert client_ip(request) == "198.51.100.1"
    request = rf.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.5"
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(request) == "127.0.0.1"
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
