"""tests/smtp.py: a real SMTP server receives what Django sends."""

from django.core.mail import EmailMultiAlternatives


def test_a_real_send_arrives_parsed(smtp_server, settings):
    assert smtp_server.port == settings.EMAIL_PORT
    message = EmailMultiAlternatives(
        subject="Hello ✓", body="See https://example.org/x/ now.", to=["Ann@Example.org"]
    )
    message.attach_alternative("<p>See <a href='https://example.org/x/'>it</a></p>", "text/html")
    assert message.send() == 1
    received = smtp_server.wait_for(to="ann@example.org")
    assert received["Subject"] == "Hello ✓"
    assert smtp_server.text(received).strip() == "See https://example.org/x/ now."
    assert "<a href" in smtp_server.html(received)
    assert smtp_server.link_in(received, "/x/") == "https://example.org/x/"
