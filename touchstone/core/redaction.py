"""Keeping access links and email addresses out of logs and the development mail console.

A link that grants access (a password reset, a complaint follow-up, a survey invitation, an employee survey link)
lets whoever reads it act as the person it was sent to; an email address beside a tracking number opens a
complaint's status page. Neither may reach a log line.
"""

import logging
import re
from typing import Any

from django.core.mail.backends.console import EmailBackend
from django.core.mail.message import EmailMessage
from gunicorn.glogging import Logger

WITHHELD = "[withheld]"

# The secret part of every URL that grants access, with or without a language prefix (/es/...).
ACCESS_LINK = re.compile(
    r"(?P<door>/(?:[a-z]{2}/)?(?:password-reset|complaints/follow-up|e|s/[\w-]+/[ik]))/"
    r"(?!(?:sent|done|thanks|privacy)/)(?P<secret>[^\s\"'<>?#]+)"
)
# A query parameter that resumes someone's unfinished answers (surveys' ?resume=...) grants access the same way.
ACCESS_PARAMETER = re.compile(r"(?P<name>[?&](?:resume|token)=)[^&\s\"'<>#]+")
EMAIL_ADDRESS = re.compile(r"(?P<first>[\w.+-])[\w.+-]*@(?P<domain>[\w-]+(?:\.[\w-]+)+)")


def redact(text: str) -> str:
    """The text with every access link's secret and every email address's mailbox withheld."""
    text = ACCESS_LINK.sub(lambda match: f"{match['door']}/{WITHHELD}", text)
    text = ACCESS_PARAMETER.sub(lambda match: f"{match['name']}{WITHHELD}", text)
    return EMAIL_ADDRESS.sub(lambda match: f"{match['first']}***@{match['domain']}", text)


class RedactSecrets(logging.Filter):
    """A logging filter for handlers: rewrites any record whose message carries an access link or an address."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's own problem to report
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if getattr(record, "request", None) is not None:
            record.request = None  # a handler formatting the request would print its path
        return True


# Loggers that write request paths; the filter is attached to them as well as to the console handler, so a handler
# configured elsewhere (gunicorn's own, a log shipper's) gets clean records too.
PATH_LOGGERS = ("django.server", "django.request", "gunicorn.access", "gunicorn.error")


def redact_secrets_in_path_loggers() -> None:
    """Attach the filter to every logger that writes request paths (called once, when core is ready)."""
    for name in PATH_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())


class ConsoleEmailBackend(EmailBackend):
    """Development mail on the console: who, subject and text, with access links and addresses withheld.

    Settings refuse every console backend when DEBUG is off; this one only keeps the development log clean.
    """

    def write_message(self, message: EmailMessage) -> None:  # type: ignore[override]
        recipients = ", ".join(redact(address) for address in message.recipients())
        self.stream.write(
            f"Subject: {redact(str(message.subject))}\nTo: {recipients}\n\n{redact(str(message.body))}\n"
        )
        self.stream.write("-" * 79 + "\n")


class GunicornLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with the same filter on its access and error logs: `gunicorn --logger-class
    touchstone.core.redaction.GunicornLogger`, so a reset link in a request path is not written there either."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(RedactSecrets())
