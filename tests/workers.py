"""Real task workers for the tests that need one: ``manage.py db_worker`` processes on
the test database (a file on SQLite, see tests/settings.py), with the database backend.
"""

import os
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import quote

from django.conf import settings
from django.db import connection

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
TASKS_ON_DATABASE = {"default": {"BACKEND": DATABASE_BACKEND}}


def database_url() -> str:
    """A DATABASE_URL for the test database this process uses."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}"
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_command(*extra: str) -> list[str]:
    command = [sys.executable, "-m", "django", "db_worker", "--no-reload", "--no-startup-delay"]
    return [*command, *extra]


def worker_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "DJANGO_TASKS_BACKEND": DATABASE_BACKEND,
        # The signing identity the tests' settings use (tests/conftest.py, _signing).
        "REPORT_SIGNING_P12": settings.REPORT_SIGNING_P12,
        "REPORT_SIGNING_P12_PASSPHRASE": settings.REPORT_SIGNING_P12_PASSPHRASE,
        "REPORT_SIGNING_TRUST_ROOTS": ",".join(map(str, settings.REPORT_SIGNING_TRUST_ROOTS)),
        "REPORT_TSA_URL": settings.REPORT_TSA_URL or "",
    }


def run_worker_until_queue_is_empty() -> subprocess.CompletedProcess:
    """One worker that does every queued task, then exits (``db_worker --batch``)."""
    return subprocess.run(
        worker_command("--batch", "-v0"),
        cwd=settings.BASE_DIR,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )


@contextmanager
def running_worker():
    """A worker polling the queue in the background for the duration of the block."""
    worker = subprocess.Popen(
        worker_command("--interval", "0.2", "-v0"),
        cwd=settings.BASE_DIR,
        env=worker_env(),
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
