"""Structured logs: one JSON object a line, holding only what is safe to keep and ship.

Only the fields below are written. Whatever else a record carries (a request, a form, `extra=` values such as a
complaint's narrative) is left out, and an exception is written as its type and its stack of code lines, never its
message, which may quote a value from a row (a database error's DETAIL does). The handler's redacting filter has
already withheld access links and email addresses from the message itself.
"""

import datetime as dt
import json
import logging
import traceback

# Attributes some loggers set that hold no personal data: Django's request logger, the task worker.
SAFE_EXTRAS = ("status_code", "task_id", "task_path")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in SAFE_EXTRAS:
            value = getattr(record, name, None)
            if isinstance(value, int | str):
                entry[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, trace = record.exc_info
            entry["exception"] = kind.__name__
            entry["stack"] = [line.rstrip() for line in traceback.format_tb(trace)]
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str, structured: bool) -> dict[str, object]:
    """The dictConfig of Django's settings and of gunicorn's (touchstone/gunicorn_config.py): one handler to stderr,
    redacting access links and addresses, in JSON lines when `structured`."""
    console = {
        "class": "logging.StreamHandler",
        "filters": ["redact"],
        "formatter": "json" if structured else "text",
    }
    # Request paths are written by these loggers only through the redacting handler, never their own.
    own_handler = {"handlers": ["console"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # No log line may carry a link that grants access (reset, follow-up, invitation) or an email address.
        "filters": {"redact": {"()": "touchstone.core.redaction.RedactSecrets"}},
        "formatters": {
            "json": {"()": "touchstone.core.logs.JsonFormatter"},
            "text": {"format": "%(levelname)s %(name)s %(message)s"},
        },
        "handlers": {"console": console},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # WeasyPrint narrates each step of every PDF at INFO ("Step 5 - Creating layout"): problems only.
            "weasyprint": {"level": "WARNING"},
            "weasyprint.progress": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # The object store's client writes every signed request (its credential and signature) and every answer
            # at DEBUG: problems only, whatever the level.
            "botocore": {"level": "WARNING"},
            "boto3": {"level": "WARNING"},
            "s3transfer": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
            "django.server": own_handler,
            "gunicorn.error": own_handler,
            "gunicorn.access": own_handler,
        },
    }
