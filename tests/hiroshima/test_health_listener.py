"""The health port: gunicorn's workers answer /healthz beside their requests.

A synchronous worker serves one request at a time, so a probe of the application's
own ``/healthz`` waits behind a slow request; the health listener answers anyway.
"""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from hiroshima.health import parse_bind, serve_in_thread
from tests.hiroshima.test_request_size import free_port, gunicorn  # noqa: F401 (fixture)

HEALTH_PORT = free_port()


def get(port: int, path: str, timeout: float = 10):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.parametrize(
    "gunicorn", [{"GUNICORN_HEALTH_BIND": f"127.0.0.1:{HEALTH_PORT}"}], indirect=True
)
def test_the_health_port_answers_while_the_only_worker_is_busy(gunicorn):  # noqa: F811
    port, _, _ = gunicorn
    for _ in range(100):  # the listener starts with the worker, after the app port opens
        try:
            socket.create_connection(("127.0.0.1", HEALTH_PORT), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    status, headers, body = get(HEALTH_PORT, "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
    assert headers["Cache-Control"] == "no-store"
    assert get(HEALTH_PORT, "/admin/")[0] == 404  # the listener serves nothing else

    # The one worker is now stuck reading a request that never ends (it waits up to
    # gunicorn's timeout): the application's own /healthz cannot be answered meanwhile...
    stuck = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        stuck.sendall(b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        with pytest.raises(OSError):  # urllib's timeout
            get(port, "/healthz", timeout=2)
        # ... but the health port answers at once.
        status, _, body = get(HEALTH_PORT, "/healthz", timeout=5)
        assert (status, json.loads(body)["status"]) == (200, "ok")
    finally:
        stuck.close()


@pytest.mark.parametrize(
    "value, expected",
    [("127.0.0.1:8001", ("127.0.0.1", 8001)), (":8001", ("0.0.0.0", 8001)),  # noqa: S104
     ("[::1]:8001", ("::1", 8001))],
)  # fmt: skip
def test_the_health_bind_setting_is_read_as_host_and_port(value, expected):
    assert parse_bind(value) == expected


@pytest.mark.parametrize("value", ["8001", "127.0.0.1:", "127.0.0.1:99999", "host:http"])
def test_a_malformed_health_bind_is_refused_with_its_value(value):
    with pytest.raises(ValueError, match="GUNICORN_HEALTH_BIND"):
        parse_bind(value)


def test_a_connection_that_sends_nothing_does_not_hold_the_listener(db):
    server = serve_in_thread(f"127.0.0.1:{free_port()}")
    port = server.server_address[1]
    try:
        idle = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(3)]
        try:
            status, _, body = get(port, "/healthz", timeout=3)
            assert (status, json.loads(body)["status"]) == (200, "ok")
        finally:
            for conn in idle:
                conn.close()
    finally:
        server.shutdown()
        server.server_close()
