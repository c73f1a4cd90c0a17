"""One invitation link used twice at once joins once (the invitation row is locked)."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from assessments.models import Membership
from members import services
from tests.assessments.test_races import _wait_until_another_backend_waits_on_a_lock
from tests.conftest import PASSWORD, make_org, make_user


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the test watches the second accept wait on the row lock",
)
def test_two_accepts_at_once_make_one_member(catalogue_restored, monkeypatch):
    org = make_org("Race Org", "race")
    owner = make_user("owner")
    Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)
    _invitation, link = services.invite_member(
        organization=org, email="ann@example.org", role="officer", by=owner
    )
    token = link.rsplit("/invitations/", 1)[1].rstrip("/")

    real_join = services._join
    first = threading.Event()
    seen_waiting = []

    def hold_first(invitation, user):
        if not first.is_set():
            first.set()
            seen_waiting.append(_wait_until_another_backend_waits_on_a_lock())
        return real_join(invitation, user)

    monkeypatch.setattr(services, "_join", hold_first)
    outcomes = []

    def accept(username):
        try:
            services.create_account_and_accept(token=token, username=username, password=PASSWORD)
            outcomes.append(("ok", username))
        except services.InvitationError as exc:
            outcomes.append(("refused", str(exc)))
        except Exception as exc:  # noqa: BLE001 - the test reports any other failure
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("ann", "ann2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen_waiting == [True], "the second accept should have waited for the first"
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert "already been accepted" in next(m for k, m in outcomes if k == "refused")
    assert Membership.objects.filter(organization=org, role="officer").count() == 1
    assert get_user_model().objects.filter(email="ann@example.org").count() == 1
