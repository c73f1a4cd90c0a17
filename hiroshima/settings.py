"""Settings for the Hiroshima AI Process self-assessment tool.

One file for every environment; production is this file with environment
variables set. Debug is off unless DJANGO_DEBUG says otherwise; ``manage.py``
(the local command) turns it on by default, gunicorn (``wsgi.py``) does not.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hiroshima.email import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")

INSTALLED_APPS = [
    # First, so that its runserver (which starts a task worker too) wins over staticfiles'.
    "hiroshima",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "principles",
    "assessments",
    "reports",
    "accounts",
    "members",
    "rest_framework",
    "drf_spectacular",
    "api",
    "notifications",
    "frameworks",  # OECD HAIP report draft and crosswalk coverage (above assessments)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hiroshima.middleware.SecurityHeadersMiddleware",
    # Before anything that reads the body (the two above only set headers).
    "hiroshima.middleware.RequestSizeLimitMiddleware",
    "hiroshima.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it reads the language cookie and the session), before common.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's language (their profile) wins over the browser's.
    "accounts.middleware.UserLanguageMiddleware",
    "hiroshima.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "hiroshima.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.membership",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "hiroshima.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock at the start of a transaction, so that two saves of the
    # same answer serialise instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The default language: pages for a browser that asks for none of LANGUAGES, issued
# reports, management commands.
LANGUAGE_CODE = env_str("DJANGO_LANGUAGE_CODE", "en")
# The interface's languages (README, Languages). A signed-in user's choice is kept
# on their profile (accounts.Profile); anonymous pages follow the language cookie,
# then Accept-Language.
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats per language (English keeps ISO dates; Japanese its own).
FORMAT_MODULE_PATH = ["hiroshima.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Serve from the finders when nothing was collected (local runs, tests).
WHITENOISE_USE_FINDERS = DEBUG

# Evidence files: outside the static files, never served under a URL of their own;
# only the evidence view, which checks membership, reads them.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))

# --- Security ---------------------------------------------------------------

SESSION_COOKIE_AGE = int(env_str("DJANGO_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A load balancer probes /healthz over plain HTTP: answer it, don't redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env_str("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# No inline script and no other origin; inline style attributes are allowed
# (Bootstrap and the admin use them).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Failed sign-ins: the rules are in hiroshima/throttle.py (README, Configuration).
# Axes records failures per username and address; a success clears only that pair.
AXES_HANDLER = "hiroshima.throttle.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "hiroshima.throttle.client_ip"
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))  # one username from one address
AXES_COOLOFF_TIME = float(env_str("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(env_str("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "20"))
LOGIN_FAILURE_LIMIT_PER_USERNAME = int(env_str("LOGIN_FAILURE_LIMIT_PER_USERNAME", "50"))
LOGIN_FAILURE_LIMIT_UNKNOWN_USERNAMES = int(env_str("LOGIN_FAILURE_LIMIT_UNKNOWN_USERNAMES", "100"))
# Proxies whose X-Forwarded-For is believed (the client's address for throttling).
TRUSTED_PROXY_ADDRESSES = env_list("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1")

# --- Logging ---------------------------------------------------------------
# Everything goes to stderr (gunicorn and systemd or the container runtime pass
# it on): errors with their tracebacks, django.request's warnings (4xx) and errors
# (5xx), and the application's own messages. DJANGO_LOG_FORMAT=json writes one
# JSON object per line for a log collector; the default is one plain line each.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "plain").strip().lower()
LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").strip().upper()
LOGGING_CONFIG = "hiroshima.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "hiroshima.logging.JsonFormatter"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        },
    },
    # Third-party libraries (WeasyPrint, fontTools) are chatty below WARNING.
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "py.warnings": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        **{
            app: {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False}
            for app in (
                "hiroshima",
                "principles",
                "assessments",
                "reports",
                "members",
                "api",
                "accounts",
            )
        },
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Domain settings -------------------------------------------------------

# Largest evidence file accepted, in bytes.
EVIDENCE_MAX_BYTES = int(env_str("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))

# The absolute address of this installation, printed in reports (verification
# address, QR code, evidence download links). No trailing slash.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Each process keeps the live catalogue it built until the catalogue's stamp changes
# (every change through the ORM or the admin stamps it: principles/stamps.py), and
# at most this many seconds, so that an edit made around the ORM (SQL by hand, a
# bulk update) shows within that time too.
CATALOGUE_KEEP_SECONDS = int(env_str("CATALOGUE_KEEP_SECONDS", "300"))

# Each process keeps the questionnaire pages it rendered, under the assessment's
# change token (a new one with every change to the assessment or anything shown on
# its pages: assessments/stamps.py) and everything else the page depends on
# (assessments/page_cache.py): the same page asked again unchanged is served
# without building it. At most this many pages per process (about 60 KB each), and
# for at most this many seconds, so that an edit made around the ORM shows within
# that time too. 0 seconds turns the cache off.
PAGE_CACHE_SECONDS = int(env_str("PAGE_CACHE_SECONDS", "300"))
PAGE_CACHE_MAX_ENTRIES = int(env_str("PAGE_CACHE_MAX_ENTRIES", "300"))
CACHES = {
    # Django's default, named: the API's throttles count in it.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_MAX_ENTRIES},
    },
}

# Notifications: how many the list shows per page, and how many days before an
# assignment's or an assessment's due date send_reminders says it is due soon.
NOTIFICATIONS_PER_PAGE = int(env_str("NOTIFICATIONS_PER_PAGE", "50"))
REMINDER_DAYS_BEFORE_DUE = int(env_str("REMINDER_DAYS_BEFORE_DUE", "3"))

# Input limits (each a setting so an installation can tune it). Forms and the
# services both enforce them, with a clear message.
EXPLANATION_MAX_CHARS = int(env_str("EXPLANATION_MAX_CHARS", "10000"))
COMMENT_MAX_CHARS = int(env_str("COMMENT_MAX_CHARS", "10000"))
SCOPE_MAX_CHARS = int(env_str("SCOPE_MAX_CHARS", "5000"))
EVIDENCE_MAX_ITEMS_PER_ANSWER = int(env_str("EVIDENCE_MAX_ITEMS_PER_ANSWER", "20"))
EVIDENCE_MAX_TOTAL_BYTES = int(
    env_str("EVIDENCE_MAX_TOTAL_BYTES", str(500 * 1024 * 1024))
)  # per assessment
# The officers' narrative of one OECD HAIP reporting item (frameworks app).
HAIP_NARRATIVE_MAX_CHARS = int(env_str("HAIP_NARRATIVE_MAX_CHARS", "20000"))
COMMENTS_MAX_PER_ANSWER = int(env_str("COMMENTS_MAX_PER_ANSWER", "100"))
# Files that passed their checks in a page save that failed are kept for the next
# save (assessments.PendingUpload): at most this many per person and assessment,
# removed after this many hours by `manage.py remove_orphan_evidence --delete`.
PENDING_UPLOADS_MAX = int(env_str("PENDING_UPLOADS_MAX", "20"))
PENDING_UPLOAD_MAX_AGE_HOURS = int(env_str("PENDING_UPLOAD_MAX_AGE_HOURS", "24"))
# Answers imported from a file (CSV, XLSX, YAML): the uploaded file, the bytes an
# XLSX (a zip archive) may unpack to, and the rows it may hold.
ANSWERS_IMPORT_MAX_BYTES = int(env_str("ANSWERS_IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
ANSWERS_IMPORT_MAX_UNPACKED_BYTES = int(
    env_str("ANSWERS_IMPORT_MAX_UNPACKED_BYTES", str(20 * 1024 * 1024))
)
ANSWERS_IMPORT_MAX_ROWS = int(env_str("ANSWERS_IMPORT_MAX_ROWS", "10000"))

# Separation of duties: the approver must not have submitted the assessment or
# changed its answers. Relax it only for a one-person organization; approvals that
# use it say so in the report.
FOUR_EYES_RELAXED = env_bool("FOUR_EYES_RELAXED", False)
# Request bodies: a small limit everywhere, a larger one for the pages that take
# files (a questionnaire page carries one evidence file per question; the verify
# page one PDF; the answers import one answers file). Checked against
# Content-Length before Django reads the body; a body without Content-Length
# (chunked) is refused. The proxy in front should
# refuse the same sizes (README, Deploy).
REQUEST_MAX_BYTES = int(env_str("REQUEST_MAX_BYTES", str(1024 * 1024)))
REQUEST_MAX_UPLOAD_FILES = int(env_str("REQUEST_MAX_UPLOAD_FILES", "12"))
REQUEST_MAX_UPLOAD_BYTES = int(
    env_str(
        "REQUEST_MAX_UPLOAD_BYTES",
        str(EVIDENCE_MAX_BYTES * REQUEST_MAX_UPLOAD_FILES + REQUEST_MAX_BYTES),
    )
)
REQUEST_UPLOAD_VIEWS = [
    "questionnaire",
    "report_verify",
    "answers_import",
    "api_evidence_upload",
    "api_answers_import",
]

FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# load_framework refuses a framework file larger than this before parsing it.
FRAMEWORK_MAX_FILE_BYTES = int(env_str("FRAMEWORK_MAX_FILE_BYTES", str(2 * 1024 * 1024)))

# --- Background tasks: report rendering ---------------------------------------

# Django's tasks interface (django-tasks; Django 6 adopts it as django.tasks). The
# database backend keeps the queue in the application's own database; workers are
# `manage.py db_worker` processes, on this machine or any other with the same
# settings. Another backend is one dotted path away (see README, "Deploy").
TASKS = {
    "default": {
        "BACKEND": env_str("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Every PDF render runs in a child process stopped after this many seconds...
REPORT_RENDER_TIMEOUT_SECONDS = float(env_str("REPORT_RENDER_TIMEOUT_SECONDS", "120"))
# ...and refused more address space than this (a limit-sized report needs about 500).
REPORT_RENDER_MAX_MEMORY_MB = int(env_str("REPORT_RENDER_MAX_MEMORY_MB", "1024"))
# Rendered draft PDFs kept per assessment (the latest ones; older are deleted).
REPORT_DRAFT_RENDERS_KEPT = int(env_str("REPORT_DRAFT_RENDERS_KEPT", "3"))

# Conformance bands: (lowest score, key, label), highest first. A score below the
# last threshold is "not conformant".
CONFORMANCE_BANDS = [
    (85.0, "conformant", "Conformant"),
    (60.0, "largely", "Largely conformant"),
    (30.0, "partially", "Partially conformant"),
]
CONFORMANCE_BAND_FLOOR = ("not", "Not conformant")
# Floor rule: the overall band is at most this many bands above the band of the
# weakest scored principle (so a strong average cannot hide a failing principle).
# 0 switches the rule off. Bands and this rule are frozen into an assessment at
# submission.
CONFORMANCE_FLOOR_STEPS = int(env_str("CONFORMANCE_FLOOR_STEPS", "1"))

# --- Signed reports and public verification -------------------------------------

# Issued reports carry a PAdES signature made with this PKCS#12 file (key,
# certificate, chain). Unset with debug off: issuing refuses with a clear message
# and `check --deploy` reports it. Unset with debug on (a local run): the demo
# identity that `create_demo_signing_identity` (and `seed_demo`) writes under
# REPORT_SIGNING_DEMO_DIR, with the demo passphrase.
REPORT_SIGNING_DEMO_DIR = Path(
    env_str("REPORT_SIGNING_DEMO_DIR", str(BASE_DIR / "var" / "signing"))
)
REPORT_SIGNING_DEMO_PASSPHRASE = "demo-signing-passphrase"
_DEMO_SIGNING = DEBUG and not env_str("REPORT_SIGNING_P12")
REPORT_SIGNING_P12 = (
    str(REPORT_SIGNING_DEMO_DIR / "demo-signer.p12")
    if _DEMO_SIGNING
    else env_str("REPORT_SIGNING_P12")
)
REPORT_SIGNING_P12_PASSPHRASE = (
    REPORT_SIGNING_DEMO_PASSPHRASE if _DEMO_SIGNING else env_str("REPORT_SIGNING_P12_PASSPHRASE")
)
# PEM files of the CA certificates whose signatures the verify page accepts as
# ours (comma-separated); default: the self-signed certificates in the PKCS#12 file.
REPORT_SIGNING_TRUST_ROOTS = env_list("REPORT_SIGNING_TRUST_ROOTS")
# An RFC 3161 timestamp authority (e.g. https://freetsa.org/tsr): signatures
# become PAdES-B-T with validation data embedded (B-LT). Optional.
REPORT_TSA_URL = env_str("REPORT_TSA_URL")
REPORT_TSA_TIMEOUT = int(env_str("REPORT_TSA_TIMEOUT", "10"))

# The verify page is public: attempts (checks and downloads) per client address
# (as the sign-in throttle finds it, TRUSTED_PROXY_ADDRESSES) and window, counted
# in the cache.
VERIFY_THROTTLE_REQUESTS = int(env_str("VERIFY_THROTTLE_REQUESTS", "30"))
VERIFY_THROTTLE_SECONDS = int(env_str("VERIFY_THROTTLE_SECONDS", "600"))
VERIFY_MAX_BYTES = int(env_str("VERIFY_MAX_BYTES", str(20 * 1024 * 1024)))

# --- REST API (api/) ------------------------------------------------------------

# Personal access tokens: validity offered by default on the tokens page, the most
# allowed, active tokens per user, and how often last_used_at is written (seconds).
API_TOKEN_DEFAULT_DAYS = int(env_str("API_TOKEN_DEFAULT_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(env_str("API_TOKEN_MAX_DAYS", "365"))
API_TOKENS_MAX_PER_USER = int(env_str("API_TOKENS_MAX_PER_USER", "20"))
API_TOKEN_LAST_USED_RESOLUTION = int(env_str("API_TOKEN_LAST_USED_RESOLUTION", "60"))
# Requests per token (or signed-in browser session), and per anonymous address
# (the schema and docs), as DRF rates: "N/second|minute|hour|day".
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "300/minute")
API_THROTTLE_ANON_RATE = env_str("API_THROTTLE_ANON_RATE", "60/minute")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.TokenRateThrottle",
        "api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HAIP self-assessment API",
    "DESCRIPTION": (
        "Read the catalogue, your organizations' assessments, answers, evidence, reports "
        "and history; answer, upload evidence and take the review workflow's steps with "
        "the same rules as the web pages. Authenticate with a personal access token "
        "(Authorization: Bearer haip_...). Errors are JSON: code, message, details."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

# --- E-mail and invitations ------------------------------------------------------

# DJANGO_EMAIL_URL (smtp://user:password@host:587, smtp+tls://, smtp+ssl://, console://)
# or DJANGO_EMAIL_HOST, _PORT, _HOST_USER, _HOST_PASSWORD, _USE_TLS, _USE_SSL; the
# console backend when neither is set (hiroshima/email.py). DJANGO_DEFAULT_FROM_EMAIL
# is the sender. `check --deploy` warns when production would print mail to the console.
_EMAIL = email_settings(os.environ)
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _EMAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _EMAIL["EMAIL_TIMEOUT"]
DEFAULT_FROM_EMAIL = _EMAIL["DEFAULT_FROM_EMAIL"]
SERVER_EMAIL = _EMAIL["SERVER_EMAIL"]

# An invitation link works this many days (sending it again starts a new period).
INVITATION_MAX_AGE_DAYS = int(env_str("INVITATION_MAX_AGE_DAYS", "7"))
# Password-reset links: Django's PASSWORD_RESET_TIMEOUT, in seconds (default 3 days).
PASSWORD_RESET_TIMEOUT = int(env_str("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))

# Requests that send e-mail are limited (accounts/throttle.py, counted in the database
# over a sliding window): password-reset requests per e-mail address typed (whether or
# not an account has it) and per client address; invitation e-mails per organization
# (new invitations and "Send again" together) and "Send again" per invitation.
PASSWORD_RESET_LIMIT_PER_EMAIL = int(env_str("PASSWORD_RESET_LIMIT_PER_EMAIL", "3"))
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(env_str("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10"))
PASSWORD_RESET_THROTTLE_SECONDS = int(env_str("PASSWORD_RESET_THROTTLE_SECONDS", "3600"))
INVITATION_LIMIT_PER_ORGANIZATION = int(env_str("INVITATION_LIMIT_PER_ORGANIZATION", "50"))
INVITATION_RESEND_LIMIT = int(env_str("INVITATION_RESEND_LIMIT", "3"))
INVITATION_THROTTLE_SECONDS = int(env_str("INVITATION_THROTTLE_SECONDS", "3600"))
