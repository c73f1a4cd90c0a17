"""Real-browser journeys: Playwright (sync API) drives Debian's Chromium against
pytest-django's ``live_server``.

``live_server`` runs on a transactional database that is flushed after each
test, so every browser test loads the catalogue again when it is missing, and
the browser tests run last in the suite (``pytest_collection_modifyitems``
below) so that the flush cannot empty the catalogue under the other tests.

Reports are rendered as in production: the live server queues tasks in the
database and a real worker process (``manage.py db_worker``) on the same test
database does them, which is why the SQLite test database is a file
(tests/settings.py).
"""

import os

# Playwright's sync API runs an event loop in this thread; without this Django
# refuses the ORM calls the fixtures make.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.test import modify_settings, override_settings  # noqa: E402

from principles.framework import load_framework  # noqa: E402
from principles.models import Principle  # noqa: E402
from tests.conftest import FIXTURES, make_user  # noqa: E402
from tests.workers import TASKS_ON_DATABASE, running_worker  # noqa: E402

BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000  # generous: the machine may be busy
RENDER_TIMEOUT_MS = 90_000  # a worker renders a PDF: seconds, many on a busy machine


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests after every other test.

    trylast: pytest-django's own hook sorts transactional tests after the others
    first; this stable sort then moves the browser tests to the very end.
    """
    items.sort(key=lambda item: Path(str(item.path)).resolve().is_relative_to(BROWSER_TESTS))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def _media_url_for_live_server():
    """A MEDIA_URL the live server can parse but never serves.

    The app leaves MEDIA_URL unset (evidence goes out only through a view that
    checks membership); Django's live server builds a media-files handler from
    it, which would claim every path for an empty prefix. A URL with a host
    makes that handler step aside.
    """
    with override_settings(MEDIA_URL="http://media.invalid/"):
        yield


@pytest.fixture(scope="session")
def _tasks_on_database():
    """The live server queues tasks in the database, as in production."""
    with override_settings(TASKS=TASKS_ON_DATABASE):
        yield


@pytest.fixture(scope="session")
def live_server(_media_url_for_live_server, _tasks_on_database, live_server):
    # The first request to a new live server imports and compiles what every later
    # page reuses; on a busy machine that alone can outlast a page's timeout, so it
    # is made here, with time to spare, rather than by the first test.
    # (pytest-django allows the live server's host for the length of each test only.)
    with modify_settings(ALLOWED_HOSTS={"append": urllib.parse.urlsplit(live_server.url).hostname}):
        urllib.request.urlopen(f"{live_server.url}/accounts/login/", timeout=120).read()
    return live_server


@pytest.fixture(autouse=True)
def task_worker(catalogue):
    """A worker process for each test, stopped before the database is flushed."""
    with running_worker() as worker:
        yield worker


@pytest.fixture(autouse=True)
def catalogue(live_server):
    """The catalogue, loaded again after the previous test's flush."""
    if not Principle.objects.exists():
        load_framework(directory=FIXTURES)


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (one per user); all closed at the end."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def admin(db):
    """A staff superuser: the catalogue's editor."""
    return make_user("ada", is_staff=True, is_superuser=True)
