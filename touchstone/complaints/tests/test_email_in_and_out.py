"""An emailed complaint becomes a case; the handler's answer goes out by email on the case's thread; the customer's
reply by email lands on the same case, by the Message-ID it answers or by the tracking number from the case's own
address; attachments are screened; the same message twice is received once; nothing logs the words."""

import io
import logging
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from touchstone.complaints import inbound
from touchstone.complaints.models import Case, CaseMessage
from touchstone.conftest import Personas

NARRATIVE = "My benefit payment has not arrived for two months and nobody answers the phone."


def eml(
    tmp_path: Path,
    *,
    sender: str = "Pat Doe <pat@example.com>",
    subject: str = "Missing payment",
    body: str = NARRATIVE,
    in_reply_to: str = "",
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    name: str = "message.eml",
) -> Path:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "complaints@agency.example.gov", subject
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    for filename, content, kind in attachments:
        main, sub = kind.split("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=filename)
    path = tmp_path / name
    path.write_bytes(bytes(message))
    return path


def receive(personas: Personas, *paths: Path) -> str:
    out = io.StringIO()
    call_command(
        "receive_complaint_email", *map(str, paths), agency=personas.agency_a.abbreviation, stdout=out
    )
    return out.getvalue()


def test_an_emailed_complaint_becomes_a_case_the_answer_goes_by_email_and_the_reply_lands_on_it(
    personas: Personas, tmp_path: Path, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        printed = receive(personas, eml(tmp_path))
    case = Case.objects.get(agency=personas.agency_a)
    assert f"new case {case.tracking_number}" in printed
    assert case.narrative == NARRATIVE and case.channel == "email" and case.contact_email == "pat@example.com"
    assert case.contact_name == "Pat Doe"
    assert any(case.tracking_number in m.subject for m in mail.outbox), (
        "the acknowledgement carries the number"
    )

    mail.outbox.clear()
    handler = personas.client(personas.handler_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = handler.post(
            f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/message/",
            {"body": "We found the payment; it goes out on Friday."},
        )
    assert response.status_code == 302
    answer = mail.outbox[-1]
    assert answer.to == ["pat@example.com"] and case.tracking_number in answer.subject
    assert "We found the payment; it goes out on Friday." in answer.body
    sent_id = answer.extra_headers["Message-ID"]
    assert CaseMessage.objects.get(case=case, email_message_id=sent_id).direction == "to_customer"

    reply = eml(
        tmp_path,
        subject="Re: your complaint",
        body="Thank you, Friday is fine.\n\nOn Monday the agency wrote:\n> We found the payment",
        in_reply_to=sent_id,
        name="reply.eml",
    )
    assert f"reply threaded onto {case.tracking_number}" in receive(personas, reply)
    last = case.messages.last()
    assert (
        last is not None and last.direction == "from_customer" and last.body == "Thank you, Friday is fine."
    )
    assert Case.objects.count() == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handler.post(
            f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/message/", {"body": "Glad to help."}
        )
    second = mail.outbox[-1]
    assert second.extra_headers["In-Reply-To"] == last.email_message_id
    assert sent_id in second.extra_headers["References"]
    for record in caplog.records:
        assert NARRATIVE not in record.getMessage() and "Friday" not in record.getMessage()
        assert "pat@example.com" not in record.getMessage()


def test_a_tracking_number_in_the_subject_threads_only_from_the_cases_own_address(
    personas: Personas, tmp_path: Path
) -> None:
    receive(personas, eml(tmp_path))
    case = Case.objects.get()
    receive(
        personas,
        eml(tmp_path, subject=f"More about {case.tracking_number}", body="Also a letter.", name="b.eml"),
    )
    assert case.messages.get().body == "Also a letter."
    stranger = eml(
        tmp_path,
        sender="someone@else.example",
        subject=f"Re: {case.tracking_number}",
        body="I want to read this case.",
        name="c.eml",
    )
    assert "new case" in receive(personas, stranger)
    assert case.messages.count() == 1 and Case.objects.count() == 2


def test_the_same_message_twice_is_received_once(personas: Personas, tmp_path: Path) -> None:
    path = eml(tmp_path)
    receive(personas, path)
    assert "already received" in receive(personas, path)
    assert Case.objects.count() == 1


def test_attachments_are_kept_when_their_bytes_are_an_allowed_type_and_refused_otherwise(
    personas: Personas, tmp_path: Path
) -> None:
    path = eml(
        tmp_path,
        attachments=[
            ("letter.pdf", b"%PDF-1.4 a letter", "application/pdf"),
            ("invoice.pdf", b"MZ\x90\x00\x03 an executable", "application/pdf"),
        ],
    )
    printed = receive(personas, path)
    case = Case.objects.get()
    assert [a.original_name for a in case.attachments.all()] == ["letter.pdf"]
    assert "attachment left out: invoice.pdf" in printed


def test_a_message_without_a_sender_address_is_refused_naming_the_header(
    personas: Personas, tmp_path: Path
) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "receive_complaint_email",
            str(eml(tmp_path, sender="not an address")),
            agency=personas.agency_a.abbreviation,
            stderr=err,
        )
    assert "From:" in err.getvalue() and Case.objects.count() == 0


def test_parsing_reads_html_only_mail_and_the_threading_headers() -> None:
    raw = (
        b"From: Ana <ana@example.com>\r\nSubject: Queja\r\nMessage-ID: <a1@example.com>\r\n"
        b"In-Reply-To: <x9@agency.example.gov>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>No lleg\xc3\xb3 mi pago.</p>\r\n"
    )
    parsed = inbound.parse(raw)
    assert parsed.sender == "ana@example.com" and parsed.message_id == "<a1@example.com>"
    assert parsed.in_reply_to == ["<x9@agency.example.gov>"] and "No llegó mi pago." in parsed.body
