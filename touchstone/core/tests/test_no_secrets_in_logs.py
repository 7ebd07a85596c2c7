"""A full demo run, logged at DEBUG by every logger, writes no narrative, no answer, no email address, no tracking
number beside an address and no link that grants access: a log is read by more people than the records are."""

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from touchstone.core.redaction import ACCESS_LINK, WITHHELD

NARRATIVE = "Narrative-marker: my benefit letter was sent to the wrong county office"
ANSWER = "Answer-marker: the clerk at the window was patient and kind"
CUSTOMER = "log.test.customer@example.com"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every record of every logger at DEBUG, as the configured handlers (filters included) write it."""
    root = logging.getLogger()
    handlers = {
        handler
        for logger in [root, *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
        for handler in getattr(logger, "handlers", [])
        if type(handler) is logging.StreamHandler
    }
    assert handlers, "settings.LOGGING configures no console handler"
    stream = io.StringIO()
    previous_streams = {handler: handler.setStream(stream) for handler in handlers}
    levels = {name: logging.getLogger(name).level for name in list(logging.root.manager.loggerDict)}
    root_level = root.level
    root.setLevel(logging.DEBUG)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        for handler, previous in previous_streams.items():
            handler.setStream(previous)  # type: ignore[arg-type]
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        root.setLevel(root_level)


def test_a_full_demo_run_logs_no_narrative_answer_address_or_access_link(
    db: Any,
    tmp_path: Path,
    settings: Any,
    log_lines: io.StringIO,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from touchstone.complaints.models import Case
    from touchstone.core.models import Agency
    from touchstone.surveys.tests.factories import published_survey

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    agency = Agency.objects.get(abbreviation="BA")
    public = Client(REMOTE_ADDR="203.0.113.77")

    # A member of the public answers a survey with a comment.
    survey = published_survey(agency)
    answered = public.post(
        f"/s/{survey.short_code}/", {"page": "0", "satisfaction": "4", "comment_service": ANSWER}
    )
    assert answered.status_code == 200  # the thanks comes in the same response

    # ... files a complaint, reads the receipt, and checks its status with the number and address.
    with django_capture_on_commit_callbacks(execute=True):
        filed = public.post(
            reverse("portal_complaints:new", args=[agency.slug]),
            {"narrative": NARRATIVE, "contact_preference": "email", "contact_email": CUSTOMER},
            follow=True,
        )
    assert filed.status_code == 200
    case = Case.objects.get(contact_email=CUSTOMER)
    checked = public.post(
        reverse("portal_complaints:status"), {"tracking_number": case.tracking_number, "email": CUSTOMER}
    )
    assert checked.status_code == 302

    # ... and a member of staff resets a password through the emailed link.
    with django_capture_on_commit_callbacks(execute=True):
        public.post(reverse("password_reset"), {"email": "admin@demo.example.gov"})
    reset = next(message for message in mail.outbox if "password-reset/" in message.body)
    link = re.search(r"https?://[^/\s]+(/\S+)", reset.body)
    assert link is not None
    public.get(link.group(1), follow=True)
    # runserver's access log line for that request, and a 404 on a guessed follow-up link.
    logging.getLogger("django.server").info('"%s" %s %s', f"GET {link.group(1)} HTTP/1.1", 200, 0)
    public.get("/complaints/follow-up/guessed-token-123/")

    lines = log_lines.getvalue().splitlines()
    assert lines, "nothing was logged: the capture is not working"
    secrets = [NARRATIVE, ANSWER, link.group(1), "guessed-token-123"]
    problems = [
        line
        for line in lines
        if any(secret in line for secret in secrets)
        or EMAIL.search(line)
        or (case.tracking_number in line and "@" in line)
        or any(
            match["secret"] != WITHHELD and not match["secret"].startswith(WITHHELD)
            for match in ACCESS_LINK.finditer(line)
        )
    ]
    assert problems == []
    assert any("/password-reset/[withheld]" in line for line in lines)
