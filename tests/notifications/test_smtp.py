"""A notification e-mail through a real SMTP server on 127.0.0.1.

tests/smtp.py (a shared aiosmtpd fixture) belongs to the members work and was not on
main when this was written; this module starts a small aiosmtpd controller of its own.
"""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from assessments import assignments as work

pytestmark = pytest.mark.django_db


class Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def local_smtp(settings):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "haip@example.com"
    yield handler
    controller.stop()


def test_assignment_email_arrives_over_smtp(
    local_smtp, assessment, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        work.assign_work(
            assessment=assessment, assignee=people["colleague"], by=people["officer"],
            question_code="VI.1",
        )  # fmt: skip
    [envelope] = local_smtp.messages
    assert envelope.rcpt_tos == ["carla@example.com"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert (
        str(message["Subject"])
        .strip()
        .startswith("[HAIP self-assessment] olivia assigned question VI.1")
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "olivia assigned question VI.1" in text
    link = f"/assessments/{assessment.pk}/principles/VI/#q-VI.1"
    assert link in text and link in html
