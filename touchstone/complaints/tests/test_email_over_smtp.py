"""The handler's answer leaves through Django's real SMTP backend and reaches a real SMTP server (aiosmtpd, started
by the test on a free loopback port): to the customer, with the tracking number in the subject, the reply token
(its Message-ID) and the agency's Reply-To, and the handler's words. The customer's mail program answers that
message; fed back through the agency's webhook, the answer lands on the same case."""

import base64
import json
import socket
import time
import uuid
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid, parseaddr
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from touchstone.complaints.models import Case, CaseMessage, EmailIntake
from touchstone.complaints.webhook import sign, sign_raw_text
from touchstone.conftest import Personas

KEY = "a-long-signing-key"
PAIR = "complaints-hook:a-long-random-password"
REPLY_ADDRESS = "complaints@agency-a.example.gov"
NARRATIVE = "My refund cheque was sent to my old address although I filed a change of address in May."
ANSWER = "We have stopped the cheque and will send a new one to your new address within ten days."


class Mailbox:
    """What the SMTP server received: each message's envelope recipients and its bytes."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append((list(envelope.rcpt_tos), bytes(content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "use_tls": False, "timeout": 10},
        }
    }
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def intake(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> EmailIntake:
    monkeypatch.setenv("AAA_WEBHOOK_KEY", KEY)
    monkeypatch.setenv("AAA_MAIL_HOOK", PAIR)
    return EmailIntake.objects.create(
        agency=personas.agency_a,
        webhook_secret_env="AAA_WEBHOOK_KEY",
        webhook_basic_auth_env="AAA_MAIL_HOOK",
        reply_address=REPLY_ADDRESS,
    )


def post_raw(personas: Personas, raw: bytes) -> Any:
    stamp = str(int(time.time()))
    return personas.client(None).post(
        f"/inbound-email/{personas.agency_a.slug}/",
        raw,
        content_type="message/rfc822",
        headers={
            "X-Touchstone-Timestamp": stamp,
            "X-Touchstone-Signature": sign(KEY, sign_raw_text(stamp, raw).encode("latin-1")),
        },
    )


def customer_email(
    body: str, *, subject: str = "Refund sent to the wrong address", answers: str = ""
) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "Robin Roe <robin@example.net>", REPLY_ADDRESS
    message["Subject"], message["Message-ID"] = subject, make_msgid(domain="mail.example.net")
    if answers:
        message["In-Reply-To"], message["References"] = answers, answers
    message.set_content(body)
    return bytes(message)


def test_the_handlers_answer_reaches_a_real_smtp_server_and_the_customers_answer_comes_back_onto_the_case(
    personas: Personas,
    intake: EmailIntake,
    smtp_server: tuple[Mailbox, int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailbox, _port = smtp_server
    with django_capture_on_commit_callbacks(execute=True):
        assert post_raw(personas, customer_email(NARRATIVE)).json() == {"result": "new case"}
    case = Case.objects.get(agency=personas.agency_a)
    assert len(mailbox.received) == 1, "the acknowledgement went through the SMTP server"
    acknowledgement = BytesParser(policy=policy.default).parsebytes(mailbox.received[0][1])
    assert case.tracking_number in str(acknowledgement["Subject"])

    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.handler_a).post(
            f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/message/", {"body": ANSWER}
        )
    assert response.status_code == 302
    assert len(mailbox.received) == 2
    recipients, raw = mailbox.received[1]
    sent = BytesParser(policy=policy.default).parsebytes(raw)
    assert recipients == ["robin@example.net"]
    assert parseaddr(str(sent["To"]))[1] == "robin@example.net"
    assert case.tracking_number in str(sent["Subject"])
    assert parseaddr(str(sent["Reply-To"]))[1] == REPLY_ADDRESS
    message_id = str(sent["Message-ID"]).strip()  # a long header arrives folded
    assert CaseMessage.objects.get(case=case, direction="to_customer").email_message_id == message_id
    text = sent.get_body(preferencelist=("plain",))
    assert text is not None and ANSWER in text.get_content()
    assert NARRATIVE not in text.get_content(), "the customer's own words are not mailed back"

    # The customer's mail program answers the message the server received, quoting it; back through Postmark.
    quoted = "\n".join("> " + line for line in text.get_content().splitlines())
    reply = customer_email(
        f"Thank you, the new address is right.\n\nOn Monday {REPLY_ADDRESS} wrote:\n{quoted}",
        subject="Re: " + str(sent["Subject"]),
        answers=message_id,
    )
    inbound_post = {
        "FromFull": {"Email": "robin@example.net", "Name": "Robin Roe", "MailboxHash": ""},
        "ToFull": [{"Email": REPLY_ADDRESS, "Name": "", "MailboxHash": ""}],
        "Subject": "Re: " + str(sent["Subject"]),
        "MessageID": str(uuid.uuid4()),
        "TextBody": BytesParser(policy=policy.default).parsebytes(reply).get_body().get_content(),
        "Headers": [
            {"Name": "Message-ID", "Value": make_msgid(domain="mail.example.net")},
            {"Name": "In-Reply-To", "Value": message_id},
            {"Name": "References", "Value": message_id},
        ],
        "Attachments": [],
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = personas.client(None).post(
            f"/inbound-email/{personas.agency_a.slug}/postmark/",
            json.dumps(inbound_post),
            content_type="application/json",
            headers={"Authorization": "Basic " + base64.b64encode(PAIR.encode()).decode()},
        )
    assert answer.json() == {"result": "reply threaded onto"}
    last = case.messages.order_by("pk").last()
    assert last is not None and last.direction == "from_customer"
    assert last.body == "Thank you, the new address is right."
    assert Case.objects.count() == 1


def test_a_raw_reply_to_the_received_message_threads_without_the_tracking_number_in_the_subject(
    personas: Personas,
    intake: EmailIntake,
    smtp_server: tuple[Mailbox, int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailbox, _port = smtp_server
    with django_capture_on_commit_callbacks(execute=True):
        post_raw(personas, customer_email(NARRATIVE))
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        personas.client(personas.handler_a).post(
            f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/message/", {"body": ANSWER}
        )
    sent = BytesParser(policy=policy.default).parsebytes(mailbox.received[-1][1])
    # The subject rewritten by the customer: only the reply token (In-Reply-To) links it to the case.
    reply = customer_email(
        "One more thing: my flat number is 4B.", subject="flat", answers=str(sent["Message-ID"]).strip()
    )
    assert post_raw(personas, reply).json() == {"result": "reply threaded onto"}
    assert (
        case.messages.filter(direction="from_customer").get().body == "One more thing: my flat number is 4B."
    )
