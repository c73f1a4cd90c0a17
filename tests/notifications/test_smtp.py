"""A notification e-mail through a real SMTP server on 127.0.0.1 (tests/smtp.py)."""

import pytest

from assessments import assignments as work

pytestmark = pytest.mark.django_db


def test_assignment_email_arrives_over_smtp(
    smtp_server, assessment, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        work.assign_work(
            assessment=assessment, assignee=people["colleague"], by=people["officer"],
            question_code="VI.1",
        )  # fmt: skip
    message = smtp_server.wait_for(to="carla@example.com")
    assert (
        str(message["Subject"])
        .strip()
        .startswith("[HAIP self-assessment] olivia assigned question VI.1")
    )
    link = f"/assessments/{assessment.pk}/principles/VI/#q-VI.1"
    assert link in smtp_server.text(message) and link in smtp_server.html(message)
    assert "olivia assigned question VI.1" in smtp_server.text(message)
    assert len(smtp_server.to("olivia@example.com")) == 0
