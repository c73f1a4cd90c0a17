"""Issued reports in the admin: visible to staff, changeable by no one."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_staff_see_issued_reports_but_cannot_add_change_or_delete(fake_pdf, client, approved):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    report = approved.issued_report
    listing = client.get(reverse("admin:reports_issuedreport_changelist"))
    assert report.report_id in listing.content.decode()
    page = client.get(reverse("admin:reports_issuedreport_change", args=[report.pk]))
    assert page.status_code == 200
    assert report.fingerprint in page.content.decode()
    assert client.get(reverse("admin:reports_issuedreport_add")).status_code == 403
    delete = reverse("admin:reports_issuedreport_delete", args=[report.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
