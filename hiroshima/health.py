"""The health check: does the application answer and reach its database?

Two ways to ask, with the same answer:

- ``GET /healthz`` on the application's own port, a view like any other. Under load
  it waits in gunicorn's queue behind the requests before it (a synchronous worker
  serves one request at a time), so a busy but healthy site can look slow to a probe.
- ``GET /healthz`` on the health port (``GUNICORN_HEALTH_BIND``, e.g.
  ``127.0.0.1:8001``): a small listener that ``gunicorn.conf.py`` starts in a thread
  of every worker. It runs beside the worker's requests rather than after them, so
  the probe measures whether the process and its database answer, not how long the
  queue is. Every worker binds the same port (``SO_REUSEPORT``); the kernel spreads
  probes over them, and a worker that dies takes only its own listener with it.
"""

from __future__ import annotations

import json
import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK = {"status": "ok", "database": "ok"}
UNAVAILABLE = {"status": "unavailable", "database": "unreachable"}


def database_answers() -> bool:
    """True when this thread's database connection runs ``SELECT 1``."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


@never_cache
@require_GET
def health(request):
    """200 when the application can query its database, 503 otherwise."""
    if database_answers():
        return JsonResponse(OK)
    return JsonResponse(UNAVAILABLE, status=503)


class _HealthHandler(BaseHTTPRequestHandler):
    server_version = "hiroshima-health"
    sys_version = ""
    timeout = 5  # a connection that sends nothing is closed after 5 s

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        if self.path.split("?", 1)[0] != "/healthz":
            self._answer(404, {"status": "not found"})
            return
        # Each connection has a thread of its own, which ends with it: the probe
        # opens its own database connection and closes it, so it also shows that
        # the database accepts connections, and nothing is left open behind it.
        try:
            healthy = database_answers()
        finally:
            connection.close()
        if healthy:
            self._answer(200, OK)
        else:
            self._answer(503, UNAVAILABLE)

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        pass  # a probe every few seconds per balancer: not worth a log line each


class _SharedPortServer(ThreadingHTTPServer):
    """An HTTP server whose port every gunicorn worker binds at once.

    A thread per connection (each closed after the handler's timeout), so that a
    connection that sends nothing, or sends slowly, holds only itself.
    """

    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        # Bind without HTTPServer's host-name lookup (a DNS query at every start).
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = host, port


def parse_bind(value: str) -> tuple[str, int]:
    """``"127.0.0.1:8001"`` or ``":8001"`` (all interfaces) -> (host, port)."""
    host, _, port = value.rpartition(":")
    if ":" not in value or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"GUNICORN_HEALTH_BIND must be host:port, not {value!r}")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 (":port" asks for it)


def serve_in_thread(bind: str) -> ThreadingHTTPServer:
    """Start the health listener on ``bind`` in a daemon thread; return its server."""
    host, port = parse_bind(bind)
    server_class = _SharedPortServer
    if ":" in host:  # an IPv6 address
        server_class = type(
            "_SharedPortServer6", (_SharedPortServer,), {"address_family": socket.AF_INET6}
        )
    server = server_class((host, port), _HealthHandler)
    thread = threading.Thread(target=server.serve_forever, name="health-listener", daemon=True)
    thread.start()
    logger.info("Health listener on %s", bind)
    return server
