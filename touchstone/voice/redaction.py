"""Keep one-use link paths out of every log: the development server's and gunicorn's access logs, Django's
request warnings (a 404 names the path), and the console email backend.

An employee's link is `/e/<token>/` (or `/es/e/<token>/`), and a customer survey invitation's is
`/s/<code>/i/<token>/`. Whoever reads a log line with such a path and its time could open the link, or pair the
person it was sent to with the moment they answered; the token is replaced by `[link]` before a line is written.
"""

import logging
import re
from typing import Any

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

# /e/<token>/ except the pages that carry no token (thanks, and what is kept about employees).
LINK_PATH = re.compile(r"(/e/)(?!thanks/|privacy/)[^/\s?#\"']+|(/s/[^/\s?#\"']+/i/)[^/\s?#\"']+")
REDACTED = "[link]"
LOGGERS = ("django.server", "django.request", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return LINK_PATH.sub(lambda m: (m.group(1) or m.group(2)) + REDACTED, text)


class RedactLinkPaths(logging.Filter):
    """Rewrites a record's message with link tokens replaced, whatever logger or format produced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.request = None  # a handler formatting the request would print its path
        return True


def redact_link_paths_in_logs() -> None:
    """Attach the filter to every logger that writes request paths (called once, when the app is ready)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinkPaths) for f in logger.filters):
            logger.addFilter(RedactLinkPaths())


class RedactingConsoleEmailBackend(ConsoleEmailBackend):
    """The development console backend, with link tokens removed from what it prints (the message is sent
    unchanged wherever a real backend is used)."""

    def write_message(self, message: Any) -> None:
        original = message.body
        message.body = redact(original)
        try:
            super().write_message(message)
        finally:
            message.body = original
