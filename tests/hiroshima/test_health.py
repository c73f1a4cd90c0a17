"""The health endpoint, and the page shown while the database is away."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from assessments import views

pytestmark = pytest.mark.django_db


def test_health_reports_ok_when_the_database_answers(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_503_when_the_database_does_not_answer(client):
    with mock.patch("hiroshima.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_database_outage_gives_a_clear_error_page_and_recovers(client, officer):
    client.force_login(officer)
    with mock.patch.object(
        views, "live_catalogue", side_effect=OperationalError("server closed the connection")
    ):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 503
    assert "database cannot be reached" in response.content.decode()
    assert response.headers["Retry-After"] == "30"
    assert client.get(reverse("dashboard")).status_code == 200
