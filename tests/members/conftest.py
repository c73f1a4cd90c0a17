import pytest

from assessments.models import Membership
from tests.conftest import make_user


@pytest.fixture
def owner(organization):
    user = make_user("owen", email="owen@example.org")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
