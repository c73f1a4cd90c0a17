"""Load and fault benchmark: gunicorn (2 workers) on 127.0.0.1 against PostgreSQL.

Run as root on a machine with PostgreSQL installed (as CI has):

    .venv/bin/python benchmarks/load.py [--seconds 60] [--officers 20] [--auditors 5]
                                        [--kill-worker-at SECONDS] [--db-outage-at SECONDS]

It creates a throw-away database, loads the catalogue and demo data, gives each
simulated officer an assessment of their own, starts gunicorn with two workers
and then, for the given time, has the officers save answers through the real
questionnaire form (GET the page, POST it back with one answer changed) while
the auditors read reports (HTML preview, JSON, CSV and the issued PDF) and one
client polls the health endpoint. Only 127.0.0.1 is contacted.

It prints requests per second, p50/p95 latency and errors for saves, reads and
the health endpoint, then checks that every answer whose save was confirmed is
in the database with exactly the value saved last (no lost answers).

--kill-worker-at kills one gunicorn worker with SIGKILL at that second: requests
in flight on it fail (counted apart), no confirmed answer may be lost.
--db-outage-at stops PostgreSQL at that second for 5 s: pages must answer 503
with the outage page meanwhile, and the app must recover by itself.

Exit status is 0 only when the targets hold: no errors (outside a deliberate
fault), no lost answers, and p95 of a save within 10 times the health p95.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
PASSWORD = "load-test-password-2026"
DB_NAME = "hiroshima_load"
DB_URL = f"postgres://hiroshima_load:hiroshima_load@{HOST}:5432/{DB_NAME}"


# --- set-up -------------------------------------------------------------------


def sh(*args: str, env=None, check=True, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, check=check, capture_output=True, text=True, input=stdin
    )


def prepare_database() -> None:
    sh("service", "postgresql", "start")
    for _ in range(30):
        if sh("su", "postgres", "-c", "pg_isready -q", check=False).returncode == 0:
            break
        time.sleep(1)
    psql = "su", "postgres", "-c"
    sh(*psql, f"dropdb --if-exists {DB_NAME}")
    sh(
        *psql,
        "psql -q -v ON_ERROR_STOP=1",
        stdin="DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hiroshima_load') "
        "THEN CREATE ROLE hiroshima_load LOGIN PASSWORD 'hiroshima_load'; END IF; END $$;",
    )
    sh(*psql, f"createdb -O hiroshima_load {DB_NAME}")


SIGNING_DIR = "/tmp/hiroshima-load-signing"


def app_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=DB_URL,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_MEDIA_ROOT="/tmp/hiroshima-load-media",
        # Issued reports are signed: a demo identity made by prepare_app.
        REPORT_SIGNING_P12=f"{SIGNING_DIR}/demo-signer.p12",
        REPORT_SIGNING_P12_PASSPHRASE="demo-signing-passphrase",
        PYTHONUNBUFFERED="1",
    )
    return env


SETUP_SCRIPT = """
from django.contrib.auth import get_user_model
from assessments import services
from assessments.models import Assessment, Membership, Organization
from principles.models import LifecycleRole
User = get_user_model()
org = Organization.objects.get(slug="aurora")
for i in range({officers}):
    user = User.objects.create_user(f"officer{{i}}", password="{password}")
    Membership.objects.create(user=user, organization=org, role="officer")
    a = services.create_assessment(organization=org, title=f"Load {{i}}", scope="load", by=user)
    print(f"assessment officer{{i}} {{a.pk}}")
for i in range({auditors}):
    user = User.objects.create_user(f"auditor{{i}}", password="{password}")
    Membership.objects.create(user=user, organization=org, role="auditor")
for a in Assessment.objects.filter(organization=org, title__startswith="Aurora"):
    print(f"readable {{a.pk}} {{a.status}}")
"""


def prepare_app(env, officers: int, auditors: int) -> tuple[dict[str, int], list]:
    manage = PYTHON, "manage.py"
    sh(*manage, "migrate", "-v0", env=env)
    sh(*manage, "load_framework", "-v0", env=env)
    sh(*manage, "create_demo_signing_identity", "--dir", SIGNING_DIR, env=env)
    sh(*manage, "seed_demo", "-v0", env=env)
    sh(*manage, "collectstatic", "--noinput", "-v0", env=env)
    script = SETUP_SCRIPT.format(officers=officers, auditors=auditors, password=PASSWORD)
    out = sh(*manage, "shell", "-v0", "-c", script, env=env).stdout
    own = {m[0]: int(m[1]) for m in re.findall(r"assessment (\S+) (\d+)", out)}
    readable = [(int(pk), status) for pk, status in re.findall(r"readable (\d+) (\w+)", out)]
    return own, readable


# --- a small browser-like client -----------------------------------------------


class FormParser(HTMLParser):
    """Collects what a browser would post back from the page's forms."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.radios: set[str] = set()
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "radio":
                self.radios.add(name)
                if "checked" in a:
                    self.fields[name] = a.get("value", "")
            elif kind in ("hidden", "text", "url") and a.get("value") is not None:
                self.fields[name] = a["value"]
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea:
                self.fields[self._textarea] = self.fields[self._textarea].strip("\n")
            self._textarea = None


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {
            # gunicorn sits behind a TLS proxy in production; say so, as the proxy would.
            "X-Forwarded-Proto": "https",
            "Host": f"{HOST}:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}:{self.port}"
            headers["Referer"] = f"https://{HOST}:{self.port}{path}"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt or method == "POST":
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), content

    def login(self, username: str) -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        status, location, _ = self.request("POST", "/accounts/login/", body)
        if status != 302:
            raise RuntimeError(f"login of {username} failed: {status}")


# --- the load ----------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    fault_errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, ok: bool, in_fault: bool) -> None:
        with self.lock:
            if ok:
                self.latencies.setdefault(kind, []).append(seconds)
            elif in_fault:
                self.fault_errors[kind] = self.fault_errors.get(kind, 0) + 1
            else:
                self.errors[kind] = self.errors.get(kind, 0) + 1


class Fault:
    """A window during which failures are expected (a killed worker, a DB outage)."""

    def __init__(self):
        self.until = 0.0

    def active(self) -> bool:
        return time.monotonic() < self.until


def officer_loop(port, username, assessment, deadline, stats, fault, confirmed, numerals):
    client = Client(port)
    client.login(username)
    counter = 0
    while time.monotonic() < deadline:
        numeral = numerals[counter % len(numerals)]
        path = f"/assessments/{assessment}/principles/{numeral}/"
        start = time.monotonic()
        try:
            status, _, page = client.request("GET", path)
            ok = status == 200
        except (OSError, http.client.HTTPException):
            ok, status = False, 0
        stats.record("page", time.monotonic() - start, ok, fault.active())
        if not ok:
            time.sleep(0.2)
            continue
        form = FormParser()
        form.feed(page.decode())
        codes = sorted({name.split("-")[0] for name in form.radios})
        if not codes:
            continue
        code = codes[counter % len(codes)]
        counter += 1
        level = str(counter % 4)  # 0..3: no evidence needed
        explanation = f"{username} save {counter}"
        body = dict(form.fields)
        body.update({f"{code}-response": level, f"{code}-explanation": explanation, "save": "1"})
        start = time.monotonic()
        try:
            status, location, _ = client.request("POST", path, body)
            ok = status == 302 and location and location.endswith(path)
        except (OSError, http.client.HTTPException):
            ok = False
        stats.record("save", time.monotonic() - start, ok, fault.active())
        if ok:
            confirmed[(assessment, code)] = (int(level), explanation)


def auditor_loop(port, username, readable, deadline, stats, fault):
    client = Client(port)
    client.login(username)
    paths = []
    for pk, status in readable:
        paths += [f"/assessments/{pk}/report/", f"/assessments/{pk}/report.json"]
        paths.append(f"/assessments/{pk}/report.csv")
        if status == "approved":  # the issued PDF; a draft's PDF is rendered on demand
            paths.append(f"/assessments/{pk}/report.pdf")
    index = 0
    while time.monotonic() < deadline:
        path = paths[index % len(paths)]
        index += 1
        start = time.monotonic()
        try:
            status, _, _ = client.request("GET", path)
            ok = status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        stats.record("report", time.monotonic() - start, ok, fault.active())


def health_loop(port, deadline, stats, fault, outage_pages):
    client = Client(port)
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            status, _, body = client.request("GET", "/healthz")
            ok = status == 200
            if status == 503:
                outage_pages.append(body)
        except (OSError, http.client.HTTPException):
            ok = False
        stats.record("health", time.monotonic() - start, ok, fault.active())
        time.sleep(0.05)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


VERIFY_SCRIPT = """
import json, sys
from assessments.models import Answer
rows = Answer.objects.filter(assessment_id__in={ids}).select_related("question")
print(json.dumps([[a.assessment_id, a.question.code, a.level, a.explanation] for a in rows]))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--auditors", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--kill-worker-at", type=float, default=None)
    parser.add_argument("--db-outage-at", type=float, default=None)
    args = parser.parse_args()

    prepare_database()
    env = app_env()
    own, readable = prepare_app(env, args.officers, args.auditors)
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
         "--bind", f"{HOST}:{args.port}", "hiroshima.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                if Client(args.port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        stats, fault, confirmed, outage_pages = Stats(), Fault(), {}, []
        numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
        start = time.monotonic()
        deadline = start + args.seconds
        threads = [
            threading.Thread(
                target=officer_loop,
                args=(args.port, user, pk, deadline, stats, fault, confirmed, numerals),
            )
            for user, pk in own.items()
        ]
        threads += [
            threading.Thread(
                target=auditor_loop,
                args=(args.port, f"auditor{i}", readable, deadline, stats, fault),
            )
            for i in range(args.auditors)
        ]
        threads.append(
            threading.Thread(
                target=health_loop, args=(args.port, deadline, stats, fault, outage_pages)
            )
        )
        for thread in threads:
            thread.start()
        events = []
        if args.kill_worker_at is not None:
            time.sleep(max(0, start + args.kill_worker_at - time.monotonic()))
            workers = sh("pgrep", "-P", str(server.pid)).stdout.split()
            fault.until = time.monotonic() + 5
            os.kill(int(workers[0]), signal.SIGKILL)
            events.append(f"killed worker {workers[0]} at {time.monotonic() - start:.1f}s")
        if args.db_outage_at is not None:
            time.sleep(max(0, start + args.db_outage_at - time.monotonic()))
            fault.until = time.monotonic() + 12
            sh("service", "postgresql", "stop")
            events.append(f"stopped PostgreSQL at {time.monotonic() - start:.1f}s")
            time.sleep(5)
            sh("service", "postgresql", "start")
            events.append(f"started PostgreSQL at {time.monotonic() - start:.1f}s")
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    out = sh(
        PYTHON, "manage.py", "shell", "-v0", "-c", VERIFY_SCRIPT.format(ids=list(own.values())),
        env=env,
    ).stdout  # fmt: skip
    stored = {(a, code): (level, text) for a, code, level, text in json.loads(out)}
    lost = [key for key, value in confirmed.items() if stored.get(key) != value]

    print(f"gunicorn: 2 workers on {HOST}:{args.port}, PostgreSQL; {elapsed:.0f} s; "
          f"{args.officers} officers saving, {args.auditors} auditors reading reports")  # fmt: skip
    for event in events:
        print(f"fault: {event}")
    print(f"{'':8} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for kind in ("save", "page", "report", "health"):
        values = stats.latencies.get(kind, [])
        errors = stats.errors.get(kind, 0)
        if values:
            print(f"{kind:8} {len(values):9d} {len(values) / elapsed:7.1f} "
                  f"{statistics.median(values) * 1000:8.1f} {percentile(values, 95) * 1000:8.1f} "
                  f"{errors:7d}")  # fmt: skip
        else:
            print(f"{kind:8} {0:9d} {'-':>7} {'-':>8} {'-':>8} {errors:7d}")
    if stats.fault_errors:
        print(f"failures inside the fault window (expected): {stats.fault_errors}")
    if outage_pages:
        print(f"503 responses during the outage: {len(outage_pages)}")
    saves, health = stats.latencies.get("save", []), stats.latencies.get("health", [])
    ratio = percentile(saves, 95) / percentile(health, 95) if saves and health else float("inf")
    print(f"p95 save / p95 health: {ratio:.1f} (target <= 10)")
    print(f"answers confirmed: {len(confirmed)}, lost: {len(lost)}")
    errors = sum(stats.errors.values())
    ok = errors == 0 and not lost and ratio <= 10 and bool(saves)
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
