"""A delivery-status notification (RFC 3464) about a reply we emailed marks that message as not delivered and shows
it to the handler; it never becomes a case. A report about mail we never sent is refused."""

from typing import Any

import pytest

from touchstone.complaints import inbound, services
from touchstone.complaints.models import Case, CaseMessage
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas

DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.agency.example.gov>
To: complaints@agency.example.gov
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.agency.example.gov>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"

--B0UND
Content-Type: text/plain; charset=us-ascii

This is the mail system. Your message could not be delivered.

--B0UND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.agency.example.gov
Arrival-Date: Mon, 30 Nov 2026 01:00:00 +0000

Final-Recipient: rfc822; pat@example.com
Original-Recipient: rfc822;pat@example.com
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 <pat@example.com>: Recipient address rejected

--B0UND
Content-Type: text/rfc822-headers

From: complaints@agency.example.gov
To: pat@example.com
Subject: Re: your complaint
Message-ID: {message_id}

--B0UND--
"""


def delivery_report(original_message_id: str, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A bounce as Postfix sends one: a human part, the delivery-status part and the original's headers."""
    text = DSN.format(action=action, status=status, message_id=original_message_id)
    return text.replace("\n", "\r\n").encode()


def emailed_reply(personas: Personas, django_capture_on_commit_callbacks: Any) -> CaseMessage:
    case = file_case(personas, channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_message(actor=personas.handler_a, case=case, body="We found your payment.")
    message.refresh_from_db()
    assert message.email_message_id
    return message


def test_a_bounce_marks_the_reply_undelivered_and_the_handler_sees_it(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    message = emailed_reply(personas, django_capture_on_commit_callbacks)
    received = inbound.receive(personas.agency_a, delivery_report(message.email_message_id))
    assert received.bounced and received.case == message.case and received.what == "bounce marked on"
    message.refresh_from_db()
    assert message.bounced_at is not None and message.bounce_status == "5.1.1"
    assert Case.objects.count() == 1
    page = personas.client(personas.handler_a).get(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{message.case_id}/"
    )
    text = page.content.decode()
    assert 'id="bounced"' in text and "Not delivered (5.1.1)" in text


def test_a_delay_report_marks_nothing_and_a_report_about_mail_we_never_sent_is_refused(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    message = emailed_reply(personas, django_capture_on_commit_callbacks)
    delayed = inbound.receive(personas.agency_a, delivery_report(message.email_message_id, action="delayed"))
    assert not delayed.bounced
    message.refresh_from_db()
    assert message.bounced_at is None
    with pytest.raises(inbound.UnreadableEmail, match="Delivery report"):
        inbound.receive(personas.agency_a, delivery_report("<never-sent@agency.example.gov>"))
    with pytest.raises(inbound.UnreadableEmail):  # another agency's reply is not this agency's to mark
        inbound.receive(personas.agency_b, delivery_report(message.email_message_id))
    assert Case.objects.count() == 1
