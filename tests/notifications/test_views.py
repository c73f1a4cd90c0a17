"""The bell, the list, marking read and the e-mail settings page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import services as notifications
from notifications.models import EmailPreference, Kind, Notification

pytestmark = pytest.mark.django_db

# session, user, the members app's navbar query, page count, page rows, the bell's count
LIST_QUERIES = 6


def make_notes(user, count, *, start=0):
    for index in range(start, start + count):
        notifications.notify(
            recipients=[user], kind=Kind.DUE_SOON, dedupe_key=f"k{index}",
            url="/my-work/", params={"title": f"Assessment {index}", "due": "2026-06-01"},
        )  # fmt: skip


def test_the_bell_counts_unread_notifications(client, officer):
    make_notes(officer, 3)
    client.force_login(officer)
    content = client.get(reverse("dashboard")).content.decode()
    assert 'id="notification-bell"' in content and "Notifications: 3 unread" in content


def test_list_shows_them_newest_first(client, officer):
    make_notes(officer, 2)
    client.force_login(officer)
    response = client.get(reverse("notification_list"))
    texts = [n.text for n in response.context["page"].object_list]
    assert texts == [
        "“Assessment 1” is due on 2026-06-01.",
        "“Assessment 0” is due on 2026-06-01.",
    ]
    assert "“Assessment 1” is due on 2026-06-01." in response.content.decode()


def test_list_and_bell_query_counts_do_not_grow(client, officer):
    client.force_login(officer)
    make_notes(officer, 2)
    client.get(reverse("notification_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notification_list"))
    make_notes(officer, 80, start=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("notification_list"))
    assert len(few) == len(many) == LIST_QUERIES
    assert len(response.context["page"].object_list) == 50
    bell = [q for q in many.captured_queries if "notifications_notification" in q["sql"]]
    assert sum("read_at" in q["sql"] and "COUNT" in q["sql"] for q in bell) == 1


def test_open_marks_read_and_follows_the_link(client, officer):
    make_notes(officer, 1)
    note = Notification.objects.get()
    client.force_login(officer)
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302 and response.url == "/my-work/"
    note.refresh_from_db()
    assert note.is_read


def test_mark_read_and_mark_all_read(client, officer):
    make_notes(officer, 3)
    first = Notification.objects.last()
    client.force_login(officer)
    client.post(reverse("notification_read", args=[first.pk]))
    assert Notification.objects.unread().count() == 2
    client.post(reverse("notification_read_all"))
    assert Notification.objects.unread().count() == 0
    assert "Notifications: 0 unread" in client.get(reverse("dashboard")).content.decode()


def test_nobody_marks_someone_elses_notifications(client, officer, outsider):
    make_notes(officer, 2)
    note = Notification.objects.first()
    client.force_login(outsider)
    assert client.post(reverse("notification_read", args=[note.pk])).status_code == 404
    assert client.post(reverse("notification_open", args=[note.pk])).status_code == 404
    client.post(reverse("notification_read_all"))
    assert Notification.objects.unread().count() == 2
    assert list(client.get(reverse("notification_list")).context["page"].object_list) == []


def test_marking_needs_post_and_csrf_and_login(officer):
    make_notes(officer, 1)
    note = Notification.objects.get()
    anonymous = Client()
    assert anonymous.get(reverse("notification_list")).status_code == 302
    assert anonymous.post(reverse("notification_read_all")).status_code == 302
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.get(reverse("notification_read", args=[note.pk])).status_code == 405
    assert client.post(reverse("notification_read", args=[note.pk])).status_code == 403
    assert client.post(reverse("notification_read_all")).status_code == 403
    assert Notification.objects.unread().count() == 1


def test_a_link_elsewhere_is_not_followed(client, officer):
    notifications.notify(
        recipients=[officer], kind=Kind.DUE_SOON, dedupe_key="x", url="https://evil.example/",
        params={"title": "T", "due": "2026-06-01"},
    )  # fmt: skip
    client.force_login(officer)
    note = Notification.objects.get()
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response.url == reverse("notification_list")


def test_email_preferences_page(client, officer):
    client.force_login(officer)
    url = reverse("notification_preferences")
    form = client.get(url).context["form"]
    assert form.initial["enabled"] is True and Kind.RETURNED in form.initial["kinds"]
    kinds = [Kind.RETURNED, Kind.APPROVED]
    assert client.post(url, {"enabled": "on", "kinds": kinds}).status_code == 302
    preference = EmailPreference.objects.get(user=officer)
    assert preference.enabled and Kind.OVERDUE in preference.muted_kinds
    assert preference.wants(Kind.RETURNED) and not preference.wants(Kind.OVERDUE)
    client.post(url, {"kinds": kinds})
    preference.refresh_from_db()
    assert not preference.enabled and not preference.wants(Kind.RETURNED)
    response = client.post(url, {"enabled": "on", "kinds": ["nonsense"]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
