"""``runserver`` that also starts a task worker, so that a local run renders reports.

Approving an assessment and asking for a draft PDF queue background renders; in
production ``manage.py db_worker`` processes do them (README, "Deploy"). Locally,
this command starts one such worker next to the development server and stops it
with the server, so that the README's one-line run gives a working application.
``--no-worker`` leaves it out (when workers run elsewhere); with a backend other
than the database one (an eager backend, say) there is nothing to start.
"""

import atexit
import os
import subprocess
import sys

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend


class Command(StaticRunserver):
    help = StaticRunserver.help + " Starts a task worker (manage.py db_worker) alongside."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="start_worker",
            help="Do not start a task worker (report rendering) alongside the server.",
        )

    def handle(self, *args, **options):
        # With the autoreloader this runs twice: in the watching process and in the
        # serving child it restarts on every change. The worker belongs to the first,
        # which lives as long as the whole command.
        if options["start_worker"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            self.start_worker()
        super().handle(*args, **options)

    def start_worker(self) -> None:
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            return
        # No --reload: a reloading worker is two processes, and the second would outlive
        # a terminated first. Each render runs in a fresh process anyway, so changes to
        # the PDF code and templates apply at once; restart for changes to the tasks.
        command = [sys.executable, "-m", "django", "db_worker", "--interval", "0.5", "--no-reload"]
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603 (our own command)
        self.stdout.write(f"Started a task worker (manage.py db_worker, pid {worker.pid}).")
        atexit.register(_stop, worker)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
