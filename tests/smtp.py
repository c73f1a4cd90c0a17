"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, collecting what it receives.

Use the ``smtp_server`` fixture (registered in tests/conftest.py): while it runs,
Django's EMAIL_* settings point at it with the SMTP backend, for the test client and
for ``live_server`` (same process) alike::

    def test_invitation_arrives(smtp_server, ...):
        ...
        message = smtp_server.wait_for(to="ann@example.org")
        link = smtp_server.link_in(message, "/invitations/")

Messages are ``email.message.EmailMessage`` objects (parsed with the default
policy), so ``message["To"]``, ``message.get_body(("plain",)).get_content()`` work.
"""

import email
import email.policy
import re
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

URL = re.compile(r"https?://[^\s<>\"']+")
WAIT_SECONDS = 30  # an upper bound for a busy machine, not a timed assertion


class _Collector:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.server._received(message, envelope.rcpt_tos)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self):
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        # Addresses the server refuses (550) at RCPT TO, as a real server does for an
        # unknown mailbox; tests add to it.
        self.refused: set[str] = set()
        self._arrived = threading.Condition()
        self._controller = Controller(_Collector(self), hostname=self.host, port=self.port)

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()

    def _received(self, message, recipients):
        with self._arrived:
            self.messages.append(message)
            self.recipients.append(list(recipients))
            self._arrived.notify_all()

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose envelope recipients include ``address``."""
        with self._arrived:
            return [
                m
                for m, rcpt in zip(self.messages, self.recipients, strict=True)
                if address.lower() in (r.lower() for r in rcpt)
            ]

    def wait_for(self, *, to: str, count: int = 1) -> EmailMessage:
        """The ``count``-th message to ``to``, waiting for it to arrive if need be."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.to(to)) >= count, timeout=WAIT_SECONDS)
        found = self.to(to)
        assert len(found) >= count, f"no message #{count} to {to}; got {len(found)}"
        return found[count - 1]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        return message.get_body(("html",)).get_content()

    def link_in(self, message: EmailMessage, containing: str) -> str:
        """The first address in the plain-text body that contains ``containing``."""
        links = [u for u in URL.findall(self.text(message)) if containing in u]
        assert links, f"no link with {containing!r} in:\n{self.text(message)}"
        return links[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server, with Django's e-mail settings pointing at it."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield server
    finally:
        server.stop()
