import pytest
from django.test import Client

from api import tokens
from api.models import ApiToken


def make_token(user, organization, access=ApiToken.Access.WRITE, name="CI pipeline", days=None):
    return tokens.create_token(
        user=user, organization=organization, name=name, access=access, days=days
    )


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def officer_api(officer, organization):
    _, secret = make_token(officer, organization)
    return bearer(secret)


@pytest.fixture
def auditor_api(auditor, organization):
    _, secret = make_token(auditor, organization, name="Audit robot")
    return bearer(secret)


@pytest.fixture
def reader_api(officer, organization):
    _, secret = make_token(officer, organization, access=ApiToken.Access.READ, name="Reader")
    return bearer(secret)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
