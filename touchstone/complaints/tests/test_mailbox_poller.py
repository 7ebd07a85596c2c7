"""The IMAP poller against a real IMAP server started by the test: new mail in an agency's mailbox becomes cases,
marked read (or moved) only once filed, so a crash between filing and marking neither loses a message nor files it
twice; the password comes from the environment variable the agency names, never from the database."""

import io
import logging
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from django.core.management import call_command

from touchstone.complaints import imap
from touchstone.complaints.models import Case, EmailIntake
from touchstone.complaints.tests.imap_server import Mailboxes, imap_server
from touchstone.conftest import Personas
from touchstone.core.schedule import JOBS

NARRATIVE = "My passport renewal has been pending for four months."


def email(body: str = NARRATIVE, sender: str = "Pat Doe <pat@example.com>") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "complaints@agency.example.gov", "Passport"
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    message.set_content(body)
    return bytes(message)


@pytest.fixture
def mailbox(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[EmailIntake, Mailboxes]]:
    monkeypatch.setenv("AAA_IMAP_PASSWORD", "s3cret pass")
    with imap_server("complaints", "s3cret pass") as (port, boxes):
        intake = EmailIntake.objects.create(
            agency=personas.agency_a,
            imap_host="127.0.0.1",
            imap_port=port,
            imap_tls=False,
            imap_username="complaints",
            imap_password_env="AAA_IMAP_PASSWORD",
        )
        yield intake, boxes


def test_new_mail_becomes_cases_and_is_marked_read_once_filed(
    mailbox: tuple[EmailIntake, Mailboxes], caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    intake, boxes = mailbox
    boxes.deliver(email())
    boxes.deliver(email("The office closed early and I could not submit my forms."))
    out = io.StringIO()
    call_command("poll_complaint_mailboxes", stdout=out)
    assert f"agency {intake.agency_id}: 2 new case" in out.getvalue()
    assert sorted(Case.objects.values_list("narrative", flat=True)) == sorted(
        [NARRATIVE, "The office closed early and I could not submit my forms."]
    )
    assert boxes.unseen() == [] and boxes.logins == 1
    call_command("poll_complaint_mailboxes", stdout=io.StringIO())
    assert Case.objects.count() == 2
    intake.refresh_from_db()
    assert intake.last_polled_at is not None
    for record in caplog.records:
        assert NARRATIVE not in record.getMessage() and "pat@example.com" not in record.getMessage()


def test_a_crash_after_filing_and_before_marking_neither_loses_the_message_nor_files_it_twice(
    mailbox: tuple[EmailIntake, Mailboxes], monkeypatch: pytest.MonkeyPatch
) -> None:
    intake, boxes = mailbox
    boxes.deliver(email())
    real_handled = imap._handled

    def crash(*args: Any) -> None:
        raise OSError("connection reset")

    monkeypatch.setattr(imap, "_handled", crash)
    assert imap.poll_all() == {}  # the poll broke off: logged, not raised
    assert Case.objects.count() == 1 and boxes.unseen() != []
    monkeypatch.setattr(imap, "_handled", real_handled)
    result = imap.poll(intake)
    assert result.done == {"already received": 1}
    assert Case.objects.count() == 1 and boxes.unseen() == []


def test_handled_mail_moves_to_the_agencys_folder_and_unreadable_mail_is_flagged_for_a_person(
    mailbox: tuple[EmailIntake, Mailboxes],
) -> None:
    intake, boxes = mailbox
    intake.imap_done_folder = "Filed complaints"
    intake.save()
    boxes.deliver(email())
    boxes.deliver(email(sender="not an address"))
    result = imap.poll(intake)
    assert result.done == {"new case": 1} and result.unreadable == 1
    assert [len(boxes.folders["INBOX"]), len(boxes.folders["Filed complaints"])] == [1, 1]
    assert boxes.folders["INBOX"][0].flags == {"\\Seen", "\\Flagged"}


def test_a_wrong_or_missing_password_is_reported_and_files_nothing(
    mailbox: tuple[EmailIntake, Mailboxes], monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    _intake, boxes = mailbox
    boxes.deliver(email())
    monkeypatch.setenv("AAA_IMAP_PASSWORD", "wrong")
    assert imap.poll_all() == {}
    monkeypatch.delenv("AAA_IMAP_PASSWORD")
    assert imap.poll_all() == {}
    assert "AAA_IMAP_PASSWORD" in caplog.text
    assert Case.objects.count() == 0 and boxes.unseen() != []


def test_the_password_may_come_from_a_file_and_the_poll_runs_on_the_schedule(
    mailbox: tuple[EmailIntake, Mailboxes], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    _intake, boxes = mailbox
    secret = tmp_path / "imap-password"
    secret.write_text("s3cret pass\n")
    monkeypatch.delenv("AAA_IMAP_PASSWORD")
    monkeypatch.setenv("AAA_IMAP_PASSWORD_FILE", str(secret))
    boxes.deliver(email())
    JOBS["poll_complaint_mailboxes"].run()
    assert Case.objects.count() == 1
