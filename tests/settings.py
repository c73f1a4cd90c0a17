"""The application's settings as production has them, with what a test run needs.

Debug stays off, as in production (pytest-django forces it off anyway). The test
client speaks plain HTTP and nothing is collected, hence the two overrides.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from hiroshima.settings import *  # noqa: E402,F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
# Mail stays in django.core.mail.outbox; tests/smtp.py points it at a real SMTP server.
# A task worker a test starts with TESTS_SMTP_URL (smtp://127.0.0.1:PORT) mails through
# that test's server instead (tests/browser/test_team_journey.py); DJANGO_EMAIL_URL is
# ignored, so a test run never mails through a real server by accident.
if os.environ.get("TESTS_SMTP_URL"):
    from hiroshima.email import parse_email_url

    globals().update(parse_email_url(os.environ["TESTS_SMTP_URL"]))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Background tasks run inline in the test process (django-tasks' immediate backend),
# except in the tests that start a real worker (tests/workers.py): those switch the
# setting to the database backend, and so does the worker they start.
if not os.environ.get("DJANGO_TASKS_BACKEND"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# A worker process must see the test database, which an in-memory SQLite database
# cannot be shared for: on SQLite the test database is a file (one per test run).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"hiroshima-tests-{os.getpid()}.sqlite3")
    }
