import pytest

from assessments.models import Membership
from tests.conftest import make_user


def give_email(*users):
    for user in users:
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])


@pytest.fixture
def colleague(organization):
    user = make_user("carla")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OFFICER)
    return user


@pytest.fixture
def people(officer, auditor, colleague, outsider):
    """Everyone with an e-mail address."""
    give_email(officer, auditor, colleague, outsider)
    return {"officer": officer, "auditor": auditor, "colleague": colleague, "outsider": outsider}
