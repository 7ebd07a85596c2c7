"""No log line and no development mail console carries a link that grants access or an email address; private pages
are never stored by a browser or proxy."""

import io
import logging
import re

import pytest
from django.conf import settings
from django.core import mail
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_http_date

from touchstone.conftest import Personas
from touchstone.core.middleware import never_stored
from touchstone.core.redaction import ConsoleEmailBackend, GunicornLogger, RedactSecrets, redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"GET /password-reset/MQ/cxk2-0a1b2c3d/ HTTP/1.1" 200',
            '"GET /password-reset/[withheld] HTTP/1.1" 200',
        ),
        (
            '"GET /es/password-reset/MQ/set-password/ HTTP/1.1"',
            '"GET /es/password-reset/[withheld] HTTP/1.1"',
        ),
        ("Not Found: /complaints/follow-up/Zq9-token/", "Not Found: /complaints/follow-up/[withheld]"),
        ("GET /s/abc123/i/invite-token/unsubscribe/", "GET /s/abc123/i/[withheld]"),
        ("GET /e/employee-token/", "GET /e/[withheld]"),
        ("sent to pat.smith@example.com", "sent to p***@example.com"),
        (
            '"GET /s/abc123/?page=1&resume=r3sum3-t0k3n HTTP/1.1"',
            '"GET /s/abc123/?page=1&resume=[withheld] HTTP/1.1"',
        ),
    ],
)
def test_access_links_and_addresses_are_withheld(line: str, expected: str) -> None:
    assert redact(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        '"GET /password-reset/sent/ HTTP/1.1" 302',
        '"GET /e/thanks/ HTTP/1.1" 200',
        '"GET /s/abc123/ HTTP/1.1" 200',
    ],
)
def test_pages_that_grant_nothing_are_logged_as_they_are(line: str) -> None:
    assert redact(line) == line


def captured(logger_name: str, message: str, *args: object) -> str:
    """What the configured handlers write for one record on this logger."""
    logger = logging.getLogger(logger_name)
    configured = logger.handlers or logging.getLogger().handlers
    handlers = [
        handler for handler in configured if type(handler) is logging.StreamHandler
    ]  # not pytest's own
    assert handlers, "settings.LOGGING names no console handler for this logger"
    streams = []
    for handler in handlers:
        streams.append((handler, handler.setStream(io.StringIO())))
    try:
        logger.warning(message, *args)
        return "".join(handler.stream.getvalue() for handler, _ in streams)  # type: ignore[attr-defined]
    finally:
        for handler, previous in streams:
            handler.setStream(previous)


def test_the_runserver_access_log_withholds_a_reset_link() -> None:
    written = captured(
        "django.server", '"%s" %s %s', "GET /password-reset/MQ/cxk2-0a1b2c3d/ HTTP/1.1", "200", "0"
    )
    assert "cxk2-0a1b2c3d" not in written
    assert "/password-reset/[withheld]" in written


def test_application_log_lines_withhold_links_and_addresses() -> None:
    written = captured(
        "touchstone.anything", "mailed %s at %s", "pat@example.com", "/complaints/follow-up/tok/"
    )
    assert "pat@example.com" not in written and "/tok/" not in written


def test_gunicorns_access_and_error_logs_carry_the_same_filter() -> None:
    from gunicorn.config import Config

    logger = GunicornLogger(Config())
    for log in (logger.access_log, logger.error_log):
        assert any(isinstance(f, RedactSecrets) for f in log.filters)


def test_the_development_mail_console_withholds_the_reset_link_and_address(personas: Personas) -> None:
    stream = io.StringIO()
    with override_settings(
        MAILERS={"default": {"BACKEND": "touchstone.core.redaction.ConsoleEmailBackend", "OPTIONS": {}}}
    ):
        Client().post(reverse("password_reset"), {"email": "admin-a@example.gov"})
    assert len(mail.outbox) in (0, 1)  # the test runner may keep its own outbox
    message = mail.EmailMessage(
        "Reset", "Go to http://x/password-reset/MQ/abc-def/ now", to=["admin-a@example.gov"]
    )
    ConsoleEmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "abc-def" not in printed and "admin-a@example.gov" not in printed
    assert "/password-reset/[withheld]" in printed and "a***@example.gov" in printed


def test_development_uses_the_redacting_mail_console() -> None:
    assert settings.MAILERS["default"]["BACKEND"] in {
        "touchstone.core.redaction.ConsoleEmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/manage/",
        "/es/manage/",
        "/api/v1/offices",
        "/api/v1/openapi.json",
        "/sign-in/",
        "/complaints/status/",
    ],
)
def test_workspace_api_and_private_pages_are_never_stored(personas: Personas, path: str) -> None:
    response = personas.client(personas.admin_a).get(path)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_workspace_page_of_an_agency_is_never_stored(personas: Personas) -> None:
    response = personas.client(personas.admin_a).get(reverse("manage:offices", args=[personas.agency_a.slug]))
    assert response.status_code == 200
    assert re.search(r"\bno-store\b", response["Cache-Control"])


def test_public_pages_may_be_cached(personas: Personas) -> None:
    assert "no-store" not in Client().get("/").get("Cache-Control", "")


@pytest.mark.parametrize(
    "set_by_view",
    [{}, {"Cache-Control": "max-age=3600, public"}, {"Expires": "Thu, 01 Jan 2026 00:00:00 GMT"}],
    ids=["nothing", "cache-control", "expires"],
)
def test_the_private_headers_are_the_ones_django_gives(set_by_view: dict[str, str]) -> None:
    """never_stored sets the headers directly when the view set none: the same as Django's add_never_cache_headers,
    and Django's own merge when the view set one."""
    ours, djangos = HttpResponse(headers=set_by_view), HttpResponse(headers=set_by_view)
    never_stored(ours)
    add_never_cache_headers(djangos)
    assert ours["Cache-Control"] == djangos["Cache-Control"]
    assert abs(parse_http_date(ours["Expires"]) - parse_http_date(djangos["Expires"])) <= 1
