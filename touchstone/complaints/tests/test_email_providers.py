"""Inbound email from the providers django-anymail parses (SendGrid, Postmark, Amazon SES, Mailjet, Mandrill): each
post, in the provider's own shape (as anymail's docs and tests show them), authenticated with the agency's webhook
user:password (Mandrill also its signature), becomes a case; a customer's reply to the handler's email lands on that
case; attachments are screened; a wrong or missing secret, and a replay, store nothing."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.test import Client

from touchstone.complaints import sns
from touchstone.complaints.models import Case, CaseAttachment, CaseMessage, EmailIntake, WebhookNonce
from touchstone.conftest import Personas

PAIR = "complaints-hook:a-long-random-password"
MANDRILL_KEY = "mandrill-webhook-key"
NARRATIVE = "The passport office lost my application and has not answered three letters."
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


@pytest.fixture
def intake(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> EmailIntake:
    monkeypatch.setenv("AAA_MAIL_HOOK", PAIR)
    monkeypatch.setenv("AAA_MANDRILL_KEY", MANDRILL_KEY)
    return EmailIntake.objects.create(
        agency=personas.agency_a,
        webhook_basic_auth_env="AAA_MAIL_HOOK",
        webhook_secret_env="AAA_MANDRILL_KEY",
    )


SNS_CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"
SNS_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate_of(key: rsa.RSAPrivateKey) -> bytes:
    """A self-signed certificate for the key, standing in for Amazon's SNS signing certificate."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = dt.datetime.now(dt.UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return built.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(autouse=True)
def amazons_certificate(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SNS certificate as if fetched from Amazon; the addresses asked for are kept, and nothing goes out."""
    asked: list[str] = []
    pem = certificate_of(SNS_KEY)

    def fetch(url: str) -> bytes:
        asked.append(url)
        return pem

    monkeypatch.setattr(sns, "fetch_certificate", fetch)
    return asked


def sns_signed(
    message: dict[str, Any], key: rsa.RSAPrivateKey = SNS_KEY, version: str = "2"
) -> dict[str, Any]:
    """The message with SNS's signature fields, signed as SNS signs (complaints/sns.py has the rules)."""
    message = {**message, "SignatureVersion": version, "SigningCertURL": SNS_CERT_URL}
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 - SNS's own version 1
    signature = key.sign(sns.signed_text(message), padding.PKCS1v15(), algorithm)
    return {**message, "Signature": base64.b64encode(signature).decode()}


def rfc822(
    *,
    body: str = NARRATIVE,
    in_reply_to: str = "",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = "Pat Doe <pat@example.com>", "complaints@agency-a.example.gov"
    message["Subject"] = "Re: your complaint" if in_reply_to else "Lost application"
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    if in_reply_to:
        message["In-Reply-To"], message["References"] = in_reply_to, in_reply_to
    message.set_content(body)
    for filename, content, kind in attachments:
        main, sub = kind.split("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=filename)
    return message


def basic(pair: str = PAIR) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


def url(personas: Personas, provider: str) -> str:
    return f"/inbound-email/{personas.agency_a.slug}/{provider}/"


# Each sender posts one message the way its provider does, and returns the response.
Sender = Callable[[Client, str, EmailMessage, dict[str, str]], Any]


def sendgrid(client: Client, to: str, message: EmailMessage, auth: dict[str, str]) -> Any:
    """SendGrid Inbound Parse with "POST the raw, full MIME message" ticked: a multipart form."""
    form = {
        "email": message.as_string(),
        "to": "complaints@agency-a.example.gov",
        "from": str(message["From"]),
        "subject": str(message["Subject"]),
        "envelope": json.dumps({"to": ["complaints@agency-a.example.gov"], "from": "pat@example.com"}),
        "charsets": json.dumps({"to": "UTF-8", "subject": "UTF-8", "from": "UTF-8"}),
        "SPF": "pass",
        "spam_score": "0.1",
        "sender_ip": "203.0.113.10",
    }
    return client.post(to, form, headers=auth)


def postmark(client: Client, to: str, message: EmailMessage, auth: dict[str, str]) -> Any:
    """Postmark's inbound webhook JSON: parsed fields, the headers as a list, attachments base64."""
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    headers = [{"Name": "Return-Path", "Value": "<pat@example.com>"}]
    headers += [
        {"Name": name, "Value": str(message[name])}
        for name in ("Message-ID", "In-Reply-To", "References")
        if message[name]
    ]
    payload = {
        "FromName": "Pat Doe",
        "MessageStream": "inbound",
        "From": "pat@example.com",
        "FromFull": {"Email": "pat@example.com", "Name": "Pat Doe", "MailboxHash": ""},
        "To": "complaints@agency-a.example.gov",
        "ToFull": [{"Email": "complaints@agency-a.example.gov", "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": "complaints@agency-a.example.gov",
        "Subject": str(message["Subject"]),
        "MessageID": str(uuid.uuid4()),
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Mon, 30 Nov 2026 09:15:00 -0500",
        "TextBody": text.get_content(),
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": headers,
        "Attachments": [
            {
                "Name": part.get_filename(),
                "Content": base64.b64encode(part.get_payload(decode=True)).decode(),
                "ContentType": part.get_content_type(),
                "ContentLength": len(part.get_payload(decode=True)),
            }
            for part in message.iter_attachments()
        ],
    }
    return client.post(to, json.dumps(payload), content_type="application/json", headers=auth)


def amazon_ses(client: Client, to: str, message: EmailMessage, auth: dict[str, str]) -> Any:
    """An SES receipt rule with an SNS action (BASE64 encoding): an SNS Notification carrying the raw message."""
    return post_sns(client, to, sns_signed(ses_notification(message)), auth)


def ses_notification(message: EmailMessage) -> dict[str, Any]:
    """SNS's Notification of a received message, before SNS signs it."""
    sns_id = str(uuid.uuid4())
    ses_event = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-11-30T14:15:00.000Z",
            "source": "pat@example.com",
            "messageId": uuid.uuid4().hex,
            "destination": ["complaints@agency-a.example.gov"],
            "headersTruncated": False,
            "commonHeaders": {"from": [str(message["From"])], "subject": str(message["Subject"])},
        },
        "receipt": {
            "timestamp": "2026-11-30T14:15:00.000Z",
            "processingTimeMillis": 310,
            "recipients": ["complaints@agency-a.example.gov"],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "spfVerdict": {"status": "PASS"},
            "dkimVerdict": {"status": "PASS"},
            "dmarcVerdict": {"status": "PASS"},
            "action": {
                "type": "SNS",
                "topicArn": "arn:aws:sns:us-east-1:123456789012:complaints-inbound",
                "encoding": "BASE64",
            },
        },
        "content": base64.b64encode(bytes(message)).decode(),
    }
    return {
        "Type": "Notification",
        "MessageId": sns_id,
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:complaints-inbound",
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-11-30T14:15:00.512Z",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }


def post_sns(client: Client, to: str, message: dict[str, Any], auth: dict[str, str]) -> Any:
    return client.post(
        to,
        json.dumps(message),
        content_type="text/plain; charset=UTF-8",  # as SNS sends it
        headers={
            **auth,
            "x-amz-sns-message-type": message["Type"],
            "x-amz-sns-message-id": message["MessageId"],
            "x-amz-sns-topic-arn": message["TopicArn"],
        },
    )


def mailjet(client: Client, to: str, message: EmailMessage, auth: dict[str, str]) -> Any:
    """Mailjet's Parse API: JSON with the headers as an object and the text part alone."""
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    payload = {
        "Sender": "pat@example.com",
        "Recipient": "complaints@agency-a.example.gov",
        "Date": "20261130T141500",
        "From": str(message["From"]),
        "Subject": str(message["Subject"]),
        "Headers": {name: str(value) for name, value in message.items() if name.lower() != "content-type"}
        | {"Content-Type": ["text/plain; charset=utf-8"]},
        "Parts": [{"ContentRef": "Text-part", "Headers": {"Content-Type": "text/plain; charset=utf-8"}}],
        "SpamAssassinScore": "0.2",
        "Text-part": text.get_content(),
        "Html-part": "",
        "CustomID": "",
        "Payload": "",
    }
    return client.post(to, json.dumps(payload), content_type="application/json", headers=auth)


def mandrill(client: Client, to: str, message: EmailMessage, auth: dict[str, str]) -> Any:
    """Mandrill's inbound route: a form with mandrill_events, signed over the address and the sorted fields."""
    events = json.dumps(
        [
            {
                "event": "inbound",
                "ts": 1796048100,
                "msg": {
                    "raw_msg": message.as_string(),
                    "email": "complaints@agency-a.example.gov",
                    "from_email": "pat@example.com",
                    "subject": str(message["Subject"]),
                    "spam_report": {"score": 0.1, "matched_rules": []},
                },
            }
        ]
    )
    # Mandrill signs the address it was given, credentials and all.
    signed = f"http://{PAIR}@testserver{to}mandrill_events{events}"
    signature = base64.b64encode(hmac.new(MANDRILL_KEY.encode(), signed.encode(), hashlib.sha1).digest())
    return client.post(
        to, {"mandrill_events": events}, headers={**auth, "X-Mandrill-Signature": signature.decode()}
    )


SENDERS: dict[str, Sender] = {
    "sendgrid": sendgrid,
    "postmark": postmark,
    "amazon-ses": amazon_ses,
    "mailjet": mailjet,
    "mandrill": mandrill,
}


@pytest.mark.parametrize("provider", list(SENDERS))
def test_a_providers_post_becomes_a_case_and_the_customers_reply_lands_on_it(
    personas: Personas, intake: EmailIntake, provider: str
) -> None:
    send, client = SENDERS[provider], personas.client(None)
    response = send(client, url(personas, provider), rfc822(), basic())
    assert response.status_code == 200, response.content
    assert response.json() == {"result": "new case"}
    case = Case.objects.get(agency=personas.agency_a)
    assert case.narrative == NARRATIVE and case.channel == "email"
    assert case.contact_email == "pat@example.com" and case.contact_name == "Pat Doe"

    # The handler's email went out with this Message-ID: the reply token the customer's mail program answers.
    sent = CaseMessage.objects.create(
        case=case,
        direction=CaseMessage.Direction.TO_CUSTOMER,
        body="Which office did you send the application to?",
        email_message_id=make_msgid(domain="touchstone.example.gov"),
    )
    Case.objects.create(  # another open case of the same agency, to be sure the reply is not filed there
        agency=personas.agency_a, tracking_number="AAA-2026-OTHER1", narrative="Something else entirely."
    )
    reply = rfc822(
        body="The office on Main Street.\n\nOn Monday the agency wrote:\n> Which office",
        in_reply_to=sent.email_message_id,
    )
    answer = send(client, url(personas, provider), reply, basic())
    assert answer.status_code == 200 and answer.json() == {"result": "reply threaded onto"}
    last = case.messages.order_by("pk").last()
    assert (
        last is not None and last.direction == "from_customer" and last.body == "The office on Main Street."
    )
    assert Case.objects.filter(agency=personas.agency_a).count() == 2


@pytest.mark.parametrize("provider", list(SENDERS))
def test_a_wrong_or_missing_secret_is_refused_and_stores_nothing(
    personas: Personas, intake: EmailIntake, provider: str
) -> None:
    send, client = SENDERS[provider], personas.client(None)
    missing = send(client, url(personas, provider), rfc822(), {})
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Basic")
    wrong = send(client, url(personas, provider), rfc822(), basic("complaints-hook:guessed"))
    assert wrong.status_code == 403
    assert not Case.objects.exists() and not WebhookNonce.objects.exists()


def test_a_mandrill_post_with_the_right_password_but_a_forged_signature_is_refused(
    personas: Personas, intake: EmailIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AAA_MANDRILL_KEY", "not-the-key-the-post-was-signed-with")
    response = mandrill(personas.client(None), url(personas, "mandrill"), rfc822(), basic())
    assert response.status_code == 403 and not Case.objects.exists()


@pytest.mark.parametrize("provider", list(SENDERS))
def test_a_captured_post_sent_again_is_refused_and_files_nothing_more(
    personas: Personas, intake: EmailIntake, provider: str
) -> None:
    client = personas.client(None)
    captured: dict[str, Any] = {}
    original = client.post

    def keep(path: str, *args: Any, **extra: Any) -> Any:
        captured.update(path=path, args=args, extra=extra)
        return original(path, *args, **extra)

    client.post = keep  # type: ignore[method-assign]
    assert SENDERS[provider](client, url(personas, provider), rfc822(), basic()).status_code == 200
    again = original(captured["path"], *captured["args"], **captured["extra"])
    assert again.status_code == 409
    assert Case.objects.count() == 1 and CaseMessage.objects.count() == 0


def test_attachments_in_a_providers_post_are_screened_by_their_bytes(
    personas: Personas, intake: EmailIntake
) -> None:
    message = rfc822(
        attachments=(("letter.pdf", PDF, "application/pdf"), ("invoice.pdf", EXE, "application/pdf"))
    )
    response = postmark(personas.client(None), url(personas, "postmark"), message, basic())
    assert response.status_code == 200
    case = Case.objects.get()
    assert list(CaseAttachment.objects.filter(case=case).values_list("original_name", flat=True)) == [
        "letter.pdf"
    ]


def test_unknown_provider_agency_without_a_secret_and_an_unreadable_post(
    personas: Personas, intake: EmailIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = personas.client(None)
    assert postmark(client, url(personas, "smoke-signals"), rfc822(), basic()).status_code == 404
    other = f"/inbound-email/{personas.agency_b.slug}/postmark/"
    assert postmark(client, other, rfc822(), basic()).status_code == 404
    bad = client.post(
        url(personas, "postmark"), "{not json", content_type="application/json", headers=basic()
    )
    assert bad.status_code == 400 and "Postmark" in bad.json()["detail"]
    assert client.head(url(personas, "mandrill")).status_code == 200
    monkeypatch.delenv("AAA_MAIL_HOOK")
    assert postmark(client, url(personas, "postmark"), rfc822(), basic()).status_code == 503
    assert not Case.objects.exists()


def test_an_admin_names_the_webhook_credentials_variable_and_the_reply_address_in_english_and_spanish(
    personas: Personas,
) -> None:
    admin = personas.client(personas.admin_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/setup/email/"
    values = {
        "imap_port": 993,
        "imap_folder": "INBOX",
        "webhook_basic_auth_env": "complaints-hook:a-long-random-password",
        "reply_address": "complaints@agency-a.example.gov",
    }
    page = admin.post(url, values).content.decode()
    assert "Give the name of an environment variable" in page, "the secret itself is refused"
    assert not EmailIntake.objects.exists()
    assert admin.post(url, values | {"webhook_basic_auth_env": "AAA_MAIL_HOOK"}).status_code == 302
    intake = EmailIntake.objects.get(agency=personas.agency_a)
    assert intake.webhook_basic_auth_env == "AAA_MAIL_HOOK"
    assert intake.reply_address == "complaints@agency-a.example.gov"
    spanish = admin.get(f"/es/manage/{personas.agency_a.slug}/complaints/setup/email/").content.decode()
    assert "dirección a la que responden los clientes" in spanish.lower()


def test_an_ses_post_is_read_only_when_amazons_sns_key_signed_it(
    personas: Personas, intake: EmailIntake, amazons_certificate: list[str]
) -> None:
    """The password alone does not file a complaint through SES: the post must carry SNS's signature."""
    client, to = personas.client(None), url(personas, "amazon-ses")
    notification = ses_notification(rfc822())
    someone_elses = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    altered = sns_signed(notification)
    altered["Message"] = altered["Message"].replace("PASS", "FAIL")
    off_amazon = {**sns_signed(notification), "SigningCertURL": "https://sns.example.com/evil.pem"}
    plain_http = {**sns_signed(notification), "SigningCertURL": SNS_CERT_URL.replace("https:", "http:")}
    unsigned = {key: value for key, value in sns_signed(notification).items() if key != "Signature"}
    for refused, why in [
        (sns_signed(notification, key=someone_elses), "does not match"),
        (altered, "does not match"),
        (off_amazon, "not on an SNS host"),
        (plain_http, "not on an SNS host"),
        ({**sns_signed(notification), "SignatureVersion": "3"}, "not 1 or 2"),
        (unsigned, "does not match"),
    ]:
        response = post_sns(client, to, refused, basic())
        assert response.status_code == 403, why
        assert why in response.json()["detail"]
    assert amazons_certificate.count("https://sns.example.com/evil.pem") == 0  # never fetched from elsewhere
    assert not Case.objects.exists() and not WebhookNonce.objects.exists()
    assert post_sns(client, to, sns_signed(notification, version="1"), basic()).status_code == 200  # SHA1, v1
    assert Case.objects.count() == 1


def test_sns_signs_each_types_fields_in_amazons_order() -> None:
    confirmation = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "m-1",
        "Token": "t-1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:complaints-inbound",
        "Message": "You have chosen to subscribe.",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        "Timestamp": "2026-11-30T14:15:00.512Z",
        "Signature": "ignored",
    }
    assert sns.signed_text(confirmation).decode().split("\n") == [
        "Message", "You have chosen to subscribe.",
        "MessageId", "m-1",
        "SubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        "Timestamp", "2026-11-30T14:15:00.512Z",
        "Token", "t-1",
        "TopicArn", "arn:aws:sns:us-east-1:123456789012:complaints-inbound",
        "Type", "SubscriptionConfirmation",
        "",
    ]  # fmt: skip
    without_subject = {
        "Type": "Notification",
        "MessageId": "m-2",
        "TopicArn": "a",
        "Message": "{}",
        "Timestamp": "t",
    }
    assert b"Subject" not in sns.signed_text(
        without_subject
    )  # a notification's subject is signed only when sent
