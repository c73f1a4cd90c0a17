"""The request-size guard: bodies larger than an endpoint can legitimately take are
refused with 413 before Django reads them, so nothing is spooled to disk."""

import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BOUNDARY = "----haipboundary"
MB = 1024 * 1024


class StreamedBody:
    """A multipart body of ``size`` bytes made on demand (a file part of zeros), never
    held in memory; it records how much was read and whether a file appeared in
    ``watch_dir`` while it was being read."""

    def __init__(self, size: int, watch_dir=None):
        self.head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="username"\r\n\r\nolivia\r\n'
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="blob"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.position = 0
        self.watch_dir = watch_dir
        self.files_seen = 0

    def read(self, n=-1):
        if self.watch_dir is not None:
            self.files_seen = max(self.files_seen, len(os.listdir(self.watch_dir)))
        remaining = self.size - self.position
        n = remaining if n is None or n < 0 else min(n, remaining)
        zeros_end = self.size - len(self.tail)
        out = bytearray()
        while len(out) < n:
            at = self.position + len(out)
            if at < len(self.head):
                out += self.head[at : at + n - len(out)]
            elif at < zeros_end:
                out += bytes(min(n - len(out), zeros_end - at))
            else:
                start = at - zeros_end
                out += self.tail[start : start + n - len(out)]
        self.position += n
        return bytes(out)

    def readline(self, limit=-1):
        return self.read(limit if limit and limit > 0 else 64 * 1024)


def post_streamed(client, url, body, **extra):
    return client.generic(
        "POST",
        url,
        data=b"-",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": body},
        **extra,
    )


def test_a_500_mb_post_to_the_login_page_is_refused_before_it_is_read(client, tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = StreamedBody(500 * MB, watch_dir=tmp_path)

    response = post_streamed(client, reverse("login"), body)

    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert body.position == 0  # not one byte was read
    assert body.files_seen == 0 and os.listdir(tmp_path) == []


def test_the_refusal_is_json_for_a_client_asking_for_json(client):
    body = StreamedBody(5 * MB)
    response = post_streamed(client, reverse("login"), body, HTTP_ACCEPT="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "request too large"
    assert response.json()["limit_bytes"] == settings.REQUEST_MAX_BYTES


def test_an_ordinary_form_under_the_small_limit_still_works(client, officer):
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302


def test_upload_endpoints_take_up_to_the_upload_limit(client, officer, assessment, settings):
    settings.REQUEST_MAX_UPLOAD_BYTES = 3 * MB
    client.force_login(officer)
    url = reverse("questionnaire", args=[assessment.pk, "I"])

    # Over the small limit but within the upload limit: the page handles it (the
    # form is incomplete, so nothing is saved, but the body was read).
    body = StreamedBody(2 * MB)
    response = post_streamed(client, url, body)
    assert response.status_code != 413
    assert body.position == body.size

    body = StreamedBody(3 * MB + 1)
    response = post_streamed(client, url, body)
    assert response.status_code == 413 and body.position == 0

    # The verify upload is an upload endpoint too; a small form is not.
    assert post_streamed(client, reverse("report_verify"), StreamedBody(2 * MB)).status_code != 413
    edit = reverse("assessment_edit", args=[assessment.pk])
    assert post_streamed(client, edit, StreamedBody(2 * MB)).status_code == 413


def test_a_body_without_content_length_is_refused(client):
    response = client.generic(
        "POST",
        reverse("login"),
        data=b"",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": StreamedBody(5 * MB)},
    )
    assert response.status_code == 411


@pytest.mark.parametrize("length", ["lots", "-5"])
def test_a_malformed_content_length_is_refused(client, length):
    response = client.generic("POST", reverse("login"), data=b"x", CONTENT_LENGTH=length)
    assert response.status_code == 400


def test_the_default_upload_limit_covers_the_largest_principle_page():
    from principles.models import Principle

    largest = max(p.questions.count() for p in Principle.objects.all())
    assert largest * settings.EVIDENCE_MAX_BYTES <= settings.REQUEST_MAX_UPLOAD_BYTES


def test_the_guard_runs_before_any_middleware_that_reads_the_body():
    middleware = settings.MIDDLEWARE
    guard = middleware.index("hiroshima.middleware.RequestSizeLimitMiddleware")
    # Only header-setting middleware may come first.
    assert set(middleware[:guard]) <= {
        "django.middleware.security.SecurityMiddleware",
        "hiroshima.middleware.SecurityHeadersMiddleware",
    }


# --- a real server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path, request):
    port = free_port()
    spool = tmp_path / "spool"
    spool.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="real-server-test-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        TMPDIR=str(spool),
        **getattr(request, "param", {}),
    )
    gunicorn_bin = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    process = subprocess.Popen(
        [gunicorn_bin, "-c", "gunicorn.conf.py", "hiroshima.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):  # wait for the port to open (up to 30 s)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stderr.read().decode())
                time.sleep(0.1)
        yield port, spool, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def raw_request(port: int, head: str, body_start: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head.encode() + body_start)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.decode("latin-1")


def test_gunicorn_refuses_a_500_mb_post_after_its_headers(gunicorn):
    port, spool, _ = gunicorn
    body = StreamedBody(500 * MB)
    head = (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {body.size}\r\n\r\n"
    )
    # Only the first megabyte is sent: the answer comes without waiting for the rest.
    response = raw_request(port, head, body.read(MB))
    assert response.startswith("HTTP/1.1 413"), response[:200]
    assert list(spool.iterdir()) == []


def test_gunicorn_refuses_a_chunked_body(gunicorn):
    port, _, _ = gunicorn
    head = (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    response = raw_request(port, head, b"10000\r\n" + b"a" * 65536)
    assert response.startswith("HTTP/1.1 411"), response[:200]


@pytest.mark.parametrize("gunicorn", [{"DJANGO_LOG_FORMAT": "json"}], indirect=True)
def test_gunicorn_and_the_application_log_json_lines(gunicorn):
    import json

    port, _, process = gunicorn
    head = "OPTIONS /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    assert raw_request(port, head, b"").startswith("HTTP/1.1 405")
    process.terminate()
    process.wait(timeout=30)
    records = [json.loads(line) for line in process.stderr.read().decode().splitlines()]
    assert any(r["logger"] == "gunicorn.error" for r in records)
    [warning] = [r for r in records if r["logger"] == "django.request"]
    assert warning["status"] == 405 and warning["path"] == "/healthz"
