"""gunicorn settings: gunicorn -c gunicorn.conf.py hiroshima.wsgi"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Optional: answer GET /healthz on this address too, from a thread of every worker,
# beside the requests instead of behind them (hiroshima/health.py). Point the load
# balancer's probe at it, e.g. GUNICORN_HEALTH_BIND=127.0.0.1:8001.
health_bind = os.environ.get("GUNICORN_HEALTH_BIND", "").strip()


def post_worker_init(worker):
    if health_bind:
        from hiroshima.health import serve_in_thread

        serve_in_thread(health_bind)


if os.environ.get("DJANGO_LOG_FORMAT", "").strip().lower() == "json":
    # gunicorn's own lines (start-up, worker timeouts, access log) as one JSON object
    # per line too, like the application's (hiroshima/logging.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "hiroshima.logging.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
