"""``manage.py runserver`` starts a task worker alongside, so a local run renders reports."""

import subprocess
import sys

import pytest
from django.core.management import get_commands

from hiroshima.management.commands import runserver
from tests.workers import TASKS_ON_DATABASE


class FakeProcess:
    pid = 4242

    def __init__(self, command, **kwargs):
        self.command = command
        self.kwargs = kwargs
        self.terminated = False

    def poll(self):
        return None

    def terminate(self):
        self.terminated = True

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def started(monkeypatch):
    processes, stops = [], []
    monkeypatch.setattr(
        subprocess, "Popen", lambda c, **kw: processes.append(FakeProcess(c)) or processes[-1]
    )
    monkeypatch.setattr(runserver.atexit, "register", lambda f, *a: stops.append((f, a)))
    return processes, stops


def test_our_runserver_is_the_one_manage_py_runs():
    assert get_commands()["runserver"] == "hiroshima"


def test_runserver_starts_a_db_worker_and_stops_it_at_exit(started, settings):
    settings.TASKS = TASKS_ON_DATABASE
    processes, stops = started
    runserver.Command().start_worker()
    (worker,) = processes
    assert worker.command[:4] == [sys.executable, "-m", "django", "db_worker"]
    assert "--no-reload" in worker.command
    ((stop, args),) = stops
    stop(*args)
    assert worker.terminated


def test_no_worker_is_started_for_a_backend_that_runs_tasks_itself(started):
    processes, _ = started  # the tests' settings: the immediate backend
    runserver.Command().start_worker()
    assert processes == []
