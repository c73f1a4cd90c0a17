"""The verify page: any signed-in user checks a PDF or a fingerprint."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("report_verify")


def upload(data: bytes, name="report.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_page_shows_the_form(client, outsider):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html
    assert "fingerprint" in html


def test_issued_pdf_is_verified_for_any_signed_in_user(fake_pdf, client, approved, outsider):
    client.force_login(outsider)
    response = client.post(URL, {"pdf": upload(bytes(approved.issued_report.pdf))})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="status"' in html
    assert "Verified: this PDF is report" in html
    assert "Example AI Labs" in html


def test_a_changed_pdf_is_not_verified_and_no_error(fake_pdf, client, approved, officer):
    data = bytearray(approved.issued_report.pdf)
    data[-1] ^= 0xFF
    client.force_login(officer)
    response = client.post(URL, {"pdf": upload(bytes(data))})
    assert response.status_code == 200
    assert "Not verified" in response.content.decode()


def test_an_empty_or_foreign_file_is_not_verified(client, officer):
    client.force_login(officer)
    for data, name in ((b"", "empty.pdf"), (b"hello", "notes.txt")):
        response = client.post(URL, {"pdf": upload(data, name)})
        assert response.status_code == 200
        assert "Not verified" in response.content.decode()


def test_a_pasted_fingerprint_is_verified(fake_pdf, client, approved, officer):
    client.force_login(officer)
    response = client.post(URL, {"fingerprint": approved.issued_report.fingerprint.upper()})
    assert "Verified: this fingerprint identifies report" in response.content.decode()


def test_an_unknown_fingerprint_is_not_verified(client, officer):
    client.force_login(officer)
    response = client.post(URL, {"fingerprint": "ab" * 32})
    assert "Not verified" in response.content.decode()


def test_posting_nothing_asks_for_a_file_or_a_fingerprint(client, officer):
    client.force_login(officer)
    response = client.post(URL, {})
    assert response.status_code == 200
    assert "Choose a PDF or paste a fingerprint." in response.content.decode()


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_other_methods_are_refused(client, officer):
    client.force_login(officer)
    assert client.put(URL).status_code == 405
