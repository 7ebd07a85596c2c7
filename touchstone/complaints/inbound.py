"""Complaints by email: an RFC 822 message (read by the `receive_complaint_email` command from files, a pipe or a
mailbox export) becomes a new case, or a customer reply threaded onto its case.

Threading, in order: the In-Reply-To / References headers naming a message the agency sent from a case (its
Message-ID is unguessable, so it is the reply token), then a tracking number in the subject when the sender is the
case's own contact address. A tracking number from a stranger starts a new case instead: knowing a number is not
enough to write into someone's case. The same Message-ID twice is received once.

A delivery-status notification (RFC 3464: multipart/report; report-type=delivery-status) about an email we sent from
a case creates no case: the message it reports on is marked bounced, for the handler to see and reach the customer
another way.

Never logged: the bodies, the subjects or the addresses; only case ids and what was done.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from touchstone.complaints import services
from touchstone.complaints.attachments import MAX_ATTACHMENTS, check_attachment
from touchstone.complaints.models import Case, CaseMessage
from touchstone.core.models import Agency

logger = logging.getLogger(__name__)

TRACKING = re.compile(r"\b([A-Z]{2,10}-\d{4}-[A-Z0-9]{6})\b")
QUOTE_MARKERS = re.compile(r"^(On .+ wrote:|El .+ escribió:|-----Original Message-----|>)", re.MULTILINE)


class UnreadableEmail(ValueError):
    """The message cannot become a complaint; the text says which header or part is wrong."""


@dataclass(frozen=True)
class InboundEmail:
    sender: str
    sender_name: str
    subject: str
    message_id: str
    in_reply_to: list[str]
    body: str
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, content)


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def parse(raw: bytes) -> InboundEmail:
    """Read one RFC 822 message with the standard library's `email` package."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    name, address = parseaddr(str(message.get("From", "")))
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise UnreadableEmail("From: the sender has no valid email address.") from error
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise UnreadableEmail("Body: the message has no text part.")
    body = str(part.get_content())
    if part.get_content_type() == "text/html":
        body = re.sub(r"<[^>]+>", " ", body)
    attachments = [
        (str(item.get_filename() or "attachment"), bytes(item.get_payload(decode=True) or b""))
        for item in message.iter_attachments()
        if isinstance(item, EmailMessage)
    ]
    message_id = (_ids(str(message.get("Message-ID", ""))) or [""])[0]
    threaded = _ids(str(message.get("In-Reply-To", ""))) + _ids(str(message.get("References", "")))
    return InboundEmail(
        sender=address,
        sender_name=name.strip(),
        subject=str(message.get("Subject", "")).strip(),
        message_id=message_id,
        in_reply_to=threaded,
        body=body.strip(),
        attachments=attachments,
    )


def new_reply_text(body: str) -> str:
    """The customer's own words: the quoted earlier mail below them is left out."""
    found = QUOTE_MARKERS.search(body)
    return (body[: found.start()] if found else body).strip() or body.strip()


def _thread(agency: Agency, mail: InboundEmail) -> Case | None:
    if mail.in_reply_to:
        sent = (
            CaseMessage.objects.filter(case__agency=agency, email_message_id__in=mail.in_reply_to)
            .select_related("case")
            .first()
        )
        if sent is not None:
            return sent.case
    for number in TRACKING.findall(mail.subject.upper()):
        case = Case.objects.filter(agency=agency, tracking_number=number).first()
        if case is not None and case.contact_email and case.contact_email.lower() == mail.sender:
            return case
    return None


def _key(mail: InboundEmail) -> str:
    return "email:" + hashlib.sha256(mail.message_id.encode()).hexdigest()[:64] if mail.message_id else ""


@dataclass(frozen=True)
class Received:
    case: Case
    created: bool
    duplicate: bool = False
    refused: list[str] = field(default_factory=list)  # attachments left out, with why
    bounced: bool = False  # a delivery report: the case's outgoing message was marked undelivered

    @property
    def what(self) -> str:
        """What was done, in the words the command and the poller print (no contents)."""
        if self.bounced:
            return "bounce marked on"
        if self.duplicate:
            return "already received"
        return "new case" if self.created else "reply threaded onto"


@dataclass(frozen=True)
class DeliveryReport:
    """What an RFC 3464 report says: the Message-ID of the email it is about, and whether delivery failed."""

    original_message_id: str
    failed: bool
    status: str


def delivery_report(raw: bytes) -> DeliveryReport | None:
    """The delivery-status notification in this message, or None when it is not one."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "delivery-status":
        return None
    failed, status, original = False, "", ""
    for part in message.walk():
        kind = part.get_content_type()
        payload: Any = part.get_payload()
        if kind == "message/delivery-status":
            # Its payload is a list of header blocks: one for the message, one for each recipient.
            for block in payload:
                action = str(block.get("Action", "")).strip().lower()
                if action == "failed":
                    failed = True
                    status = str(block.get("Status", "")).strip()[:20] or status
                original = original or (_ids(str(block.get("Original-Message-ID", ""))) or [""])[0]
        elif kind in {"message/rfc822", "text/rfc822-headers"} and not original:
            inner: Any = payload[0] if kind == "message/rfc822" else None
            if inner is None:
                inner = BytesParser(policy=policy.default).parsebytes(
                    bytes(part.get_payload(decode=True) or b""), headersonly=True
                )
            original = (_ids(str(inner.get("Message-ID", ""))) or [""])[0]
    if not original:
        return None
    return DeliveryReport(original_message_id=original, failed=failed, status=status)


def _mark_bounce(agency: Agency, report: DeliveryReport) -> Received:
    sent = (
        CaseMessage.objects.filter(
            case__agency=agency,
            email_message_id=report.original_message_id,
            direction=CaseMessage.Direction.TO_CUSTOMER,
        )
        .select_related("case")
        .first()
    )
    if sent is None:
        raise UnreadableEmail("Delivery report: it is about no email this agency sent from a case.")
    if report.failed and sent.bounced_at is None:
        services.mark_bounced(message=sent, status=report.status)
        logger.info("email of message %s on case %s bounced", sent.pk, sent.case_id)
    return Received(case=sent.case, created=False, bounced=report.failed, duplicate=not report.failed)


def _screen(mail: InboundEmail) -> tuple[list[tuple[UploadedFile, str]], list[str]]:
    """The attachments a complaint may carry (type judged by the bytes, size, count), and those refused and why."""
    kept: list[tuple[UploadedFile, str]] = []
    refused: list[str] = []
    for name, content in mail.attachments:
        upload = SimpleUploadedFile(name[:255], content)
        if len(kept) >= MAX_ATTACHMENTS:
            refused.append(f"{name}: more than {MAX_ATTACHMENTS} attachments")
            continue
        try:
            kept.append((upload, check_attachment(upload)))
        except ValidationError as error:
            refused.append(f"{name}: {' '.join(error.messages)}")
    return kept, refused


def receive(agency: Agency, raw: bytes) -> Received:
    """One email in: a new case, a reply on its case, a bounce marked, or (the same Message-ID again) nothing new."""
    report = delivery_report(raw)
    if report is not None:
        return _mark_bounce(agency, report)
    mail = parse(raw)
    if mail.message_id:
        seen = CaseMessage.objects.filter(case__agency=agency, email_message_id=mail.message_id).first()
        if seen is not None:
            return Received(case=seen.case, created=False, duplicate=True)
        first = Case.objects.filter(agency=agency, idempotency_key=_key(mail)).first()
        if first is not None:
            return Received(case=first, created=False, duplicate=True)
    attachments, refused = _screen(mail)
    case = _thread(agency, mail)
    if case is not None:
        with transaction.atomic():
            message = services.customer_replies(case=case, body=new_reply_text(mail.body))
            CaseMessage.objects.filter(pk=message.pk).update(email_message_id=mail.message_id[:255])
            services.save_attachments(case, attachments)
        logger.info("email reply threaded onto case %s", case.pk)
        return Received(case=case, created=False, refused=refused)
    if not mail.body:
        raise UnreadableEmail("Body: the message is empty; there is no complaint to file.")
    try:
        case = services.file_complaint(
            agency=agency,
            data={
                "narrative": mail.body,
                "contact_email": mail.sender,
                "contact_name": mail.sender_name[:200],
                "channel": "email",
                "contact_preference": Case.ContactPreference.EMAIL,
            },
            actor_label="email",
            idempotency_key=_key(mail),
            attachments=attachments,
        )
    except IntegrityError:  # the same message, delivered twice at once
        again = Case.objects.get(agency=agency, idempotency_key=_key(mail))
        return Received(case=again, created=False, duplicate=True)
    logger.info("email became case %s", case.pk)
    return Received(case=case, created=True, refused=refused)
