"""The inbound-email webhook: a raw RFC 822 post or a Mailgun forward-MIME post, signed with the agency's key,
becomes a case; an unsigned, mis-signed, stale or replayed post is refused and files nothing."""

import time
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from touchstone.complaints.models import Case, EmailIntake
from touchstone.complaints.webhook import sign, sign_raw_text
from touchstone.conftest import Personas

KEY = "a-long-signing-key"
NARRATIVE = "The benefits office has not answered my letter since March."


def email(body: str = NARRATIVE) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Pat <pat@example.com>", "complaints@a.gov", "Letter"
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    message.set_content(body)
    return bytes(message)


@pytest.fixture
def intake(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> EmailIntake:
    monkeypatch.setenv("AAA_WEBHOOK_KEY", KEY)
    return EmailIntake.objects.create(agency=personas.agency_a, webhook_secret_env="AAA_WEBHOOK_KEY")


def post_raw(personas: Personas, raw: bytes, *, key: str = KEY, timestamp: int | None = None) -> object:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return personas.client(None).post(
        f"/inbound-email/{personas.agency_a.slug}/",
        raw,
        content_type="message/rfc822",
        headers={
            "X-Touchstone-Timestamp": stamp,
            "X-Touchstone-Signature": "sha256=" + sign(key, sign_raw_text(stamp, raw).encode("latin-1")),
        },
    )


def mailgun_form(raw: bytes, *, token: str = "t0k3n-0001", key: str = KEY) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "recipient": "complaints@a.gov",
        "sender": "pat@example.com",
        "body-mime": raw.decode(),
        "timestamp": stamp,
        "token": token,
        "signature": sign(key, (stamp + token).encode()),
    }


def test_a_signed_raw_message_becomes_a_case_and_a_replay_is_refused(
    personas: Personas, intake: EmailIntake
) -> None:
    raw, sent_at = email(), int(time.time())
    response = post_raw(personas, raw, timestamp=sent_at)
    assert response.status_code == 200 and response.json() == {"result": "new case"}
    case = Case.objects.get(agency=personas.agency_a)
    assert case.narrative == NARRATIVE and case.channel == "email"
    again = post_raw(personas, raw, timestamp=sent_at)  # the captured post, sent again
    assert again.status_code == 409
    resent = post_raw(personas, raw, timestamp=sent_at + 1)  # the provider's own retry: newly signed
    assert resent.json() == {"result": "already received"}
    assert Case.objects.count() == 1


def test_a_mailgun_forward_mime_post_becomes_a_case_and_its_token_is_used_once(
    personas: Personas, intake: EmailIntake
) -> None:
    url = f"/inbound-email/{personas.agency_a.slug}/"
    client = personas.client(None)
    form = mailgun_form(email())
    assert client.post(url, form).json() == {"result": "new case"}
    assert client.post(url, form).status_code == 409
    second = mailgun_form(email("A second, different problem."), token="t0k3n-0002")
    assert client.post(url, second).status_code == 200
    assert Case.objects.count() == 2


def test_wrong_key_stale_timestamp_unknown_agency_and_unknown_shape_are_refused(
    personas: Personas, intake: EmailIntake
) -> None:
    assert post_raw(personas, email(), key="guessed").status_code == 403
    assert post_raw(personas, email(), timestamp=int(time.time()) - 3600).status_code == 403
    client = personas.client(None)
    assert (
        client.post(
            f"/inbound-email/{personas.agency_b.slug}/", email(), content_type="message/rfc822"
        ).status_code
        == 404
    )
    plain = client.post(f"/inbound-email/{personas.agency_a.slug}/", {"text": "hello"})
    assert plain.status_code == 400 and "body-mime" in plain.json()["detail"]
    assert client.get(f"/inbound-email/{personas.agency_a.slug}/").status_code == 405
    assert Case.objects.count() == 0


def test_an_unreadable_message_is_refused_naming_the_header_and_may_be_sent_again(
    personas: Personas, intake: EmailIntake
) -> None:
    raw = email().replace(b"Pat <pat@example.com>", b"nobody")
    response = post_raw(personas, raw)
    assert response.status_code == 400 and "From:" in response.json()["detail"]
    assert Case.objects.count() == 0


def test_a_missing_signing_key_in_the_environment_is_a_configuration_error_not_an_open_door(
    personas: Personas, intake: EmailIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AAA_WEBHOOK_KEY")
    assert post_raw(personas, email()).status_code == 503
    assert Case.objects.count() == 0
