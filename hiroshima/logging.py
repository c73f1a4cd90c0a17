"""Log records as one JSON object per line, for a log collector (DJANGO_LOG_FORMAT=json)."""

import json
import logging
import logging.config
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and for a failed
    request its method, path and status; a traceback stays inside the one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = getattr(request, "method", None)
            entry["path"] = request.path
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(config: dict) -> None:
    """LOGGING_CONFIG: Django's dictConfig, plus Python warnings sent through logging
    (so that they reach stderr in the same format, one JSON object per line too)."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
