"""E-mail settings from the environment (read by settings.py; no Django imports).

``DJANGO_EMAIL_URL`` says it in one variable::

    smtp://user:password@host:587        plain SMTP (STARTTLS if the URL asks: ?tls=1)
    smtp+tls://user:password@host:587    STARTTLS
    smtp+ssl://user:password@host:465    implicit TLS
    console://                           printed on stderr (a local run)

User and password are percent-decoded (write ``@`` as ``%40``). Without it, the usual
variables: DJANGO_EMAIL_HOST, DJANGO_EMAIL_PORT, DJANGO_EMAIL_HOST_USER,
DJANGO_EMAIL_HOST_PASSWORD, DJANGO_EMAIL_USE_TLS, DJANGO_EMAIL_USE_SSL. With neither,
the console backend.
"""

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
TRUE = {"1", "true", "yes", "on"}


class EmailConfigError(ValueError):
    pass


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE


def parse_email_url(url: str) -> dict:
    """Django's EMAIL_* settings for one e-mail URL (EmailConfigError if it is not one)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE}
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl", "smtps"}:
        raise EmailConfigError(
            f"DJANGO_EMAIL_URL: unknown scheme {parts.scheme!r}; use smtp://, smtp+tls://, "
            "smtp+ssl:// or console://."
        )
    if not parts.hostname:
        raise EmailConfigError("DJANGO_EMAIL_URL: no host (smtp://user:password@host:port).")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = scheme in {"smtp+ssl", "smtps"} or _flag(query.get("ssl"))
    use_tls = scheme == "smtp+tls" or _flag(query.get("tls"))
    if use_ssl and use_tls:
        raise EmailConfigError("DJANGO_EMAIL_URL: choose TLS (STARTTLS) or SSL, not both.")
    try:
        port = parts.port
    except ValueError:
        raise EmailConfigError("DJANGO_EMAIL_URL: the port is not a number.") from None
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }


def email_settings(environ: Mapping[str, str]) -> dict:
    """EMAIL_* settings from DJANGO_EMAIL_URL, else the separate variables, else console."""
    url = environ.get("DJANGO_EMAIL_URL", "").strip()
    if url:
        values = parse_email_url(url)
    elif environ.get("DJANGO_EMAIL_HOST", "").strip():
        use_tls = _flag(environ.get("DJANGO_EMAIL_USE_TLS"))
        use_ssl = _flag(environ.get("DJANGO_EMAIL_USE_SSL"))
        if use_tls and use_ssl:
            raise EmailConfigError("DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL: not both.")
        port = environ.get("DJANGO_EMAIL_PORT", "").strip()
        if port and not port.isdigit():
            raise EmailConfigError("DJANGO_EMAIL_PORT is not a number.")
        values = {
            "EMAIL_BACKEND": SMTP,
            "EMAIL_HOST": environ["DJANGO_EMAIL_HOST"].strip(),
            "EMAIL_PORT": int(port) if port else (465 if use_ssl else 587 if use_tls else 25),
            "EMAIL_HOST_USER": environ.get("DJANGO_EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": use_tls,
            "EMAIL_USE_SSL": use_ssl,
        }
    else:
        values = {"EMAIL_BACKEND": CONSOLE}
    values["EMAIL_TIMEOUT"] = int(environ.get("DJANGO_EMAIL_TIMEOUT", "") or 10)
    sender = environ.get("DJANGO_DEFAULT_FROM_EMAIL", "").strip()
    values["DEFAULT_FROM_EMAIL"] = sender or "HAIP self-assessment <noreply@localhost>"
    values["SERVER_EMAIL"] = values["DEFAULT_FROM_EMAIL"]
    return values
