"""An admin turns on an authenticator app; from then on a password alone does not sign them in."""

import re

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from touchstone.conftest import PASSWORD, Personas
from touchstone.core import services
from touchstone.core.models import AuditEntry, SecondFactor, User


def turn_on(user: User) -> tuple[str, list[str]]:
    secret = pyotp.random_base32()
    codes = services.enrol_second_factor(user=user, secret=secret, code=pyotp.TOTP(secret).now())
    assert codes is not None
    SecondFactor.objects.filter(user=user).update(last_step=0)  # the enrolment code may be given again here
    return secret, codes


def password_step(client: Client, username: str = "admin-a") -> object:
    return client.post(reverse("sign-in"), {"username": username, "password": PASSWORD})


def test_an_admin_turns_on_an_authenticator_app_and_sees_recovery_codes_once(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    page = client.get(reverse("manage:second-factor")).content.decode()
    assert "<svg" in page
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", page)
    assert key is not None
    secret = key.group(1).replace(" ", "")
    wrong = client.post(reverse("manage:second-factor"), {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    shown = client.post(reverse("manage:second-factor"), {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", shown.content.decode())
    assert len(codes) == 10
    factor = SecondFactor.objects.get(user=personas.admin_a)
    assert not any(code in str(factor.recovery_code_hashes) for code in codes)  # only their hashes are kept
    later = client.get(reverse("manage:second-factor")).content.decode()
    assert "10 recovery codes left" in later and codes[0] not in later  # shown once, never again
    assert AuditEntry.objects.filter(action="turned on a second factor", actor=personas.admin_a).exists()


def test_with_the_app_on_a_password_alone_does_not_sign_in(personas: Personas) -> None:
    turn_on(personas.admin_a)
    client = Client()
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] == reverse("second-factor")  # type: ignore[attr-defined]
    assert client.get(reverse("manage:home")).status_code == 302
    assert client.get(reverse("manage:home"))["Location"].startswith(reverse("sign-in"))


def test_the_right_code_signs_in_and_a_wrong_one_does_not(personas: Personas) -> None:
    secret, _codes = turn_on(personas.admin_a)
    client = Client()
    password_step(client)
    wrong = client.post(reverse("second-factor"), {"code": "123456"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert client.get(reverse("manage:home")).status_code == 302
    right = client.post(reverse("second-factor"), {"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 200


def test_a_code_is_accepted_only_once(personas: Personas) -> None:
    secret, _codes = turn_on(personas.admin_a)
    code = pyotp.TOTP(secret).now()
    first = Client()
    password_step(first)
    assert first.post(reverse("second-factor"), {"code": code}).status_code == 302
    second = Client()
    password_step(second)
    assert second.post(reverse("second-factor"), {"code": code}).status_code == 400


def test_a_recovery_code_signs_in_once(personas: Personas) -> None:
    _secret, codes = turn_on(personas.admin_a)
    client = Client()
    password_step(client)
    assert client.post(reverse("second-factor"), {"code": codes[0]}).status_code == 302
    again = Client()
    password_step(again)
    assert again.post(reverse("second-factor"), {"code": codes[0]}).status_code == 400
    assert len(SecondFactor.objects.get(user=personas.admin_a).recovery_code_hashes) == 9


@pytest.mark.usefixtures("within_one_minute")
def test_guessing_codes_is_slowed_to_a_few_a_minute(personas: Personas, settings: object) -> None:
    turn_on(personas.admin_a)
    client = Client()
    password_step(client)
    codes = [client.post(reverse("second-factor"), {"code": "111111"}).status_code for _ in range(7)]
    assert codes[-1] == 429 and codes[0] == 400


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(personas: Personas) -> None:
    response = Client().post(reverse("second-factor"), {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == reverse("sign-in")


def test_an_admin_without_the_app_signs_in_with_the_password_as_before(personas: Personas) -> None:
    client = Client()
    assert password_step(client).status_code == 302  # type: ignore[attr-defined]
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 200


def test_turning_it_off_needs_a_current_code(personas: Personas) -> None:
    secret, _codes = turn_on(personas.admin_a)
    client = personas.client(personas.admin_a)
    assert client.post(reverse("manage:second-factor"), {"code": "000000"}).status_code == 400
    assert SecondFactor.objects.filter(user=personas.admin_a).exists()
    assert client.post(reverse("manage:second-factor"), {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert not SecondFactor.objects.filter(user=personas.admin_a).exists()


def test_a_password_reset_email_has_a_one_use_link_and_no_secret(personas: Personas) -> None:
    turn_on(personas.admin_a)
    Client().post(reverse("password_reset"), {"email": "admin-a@example.gov"})
    body = mail.outbox[0].body
    assert re.search(r"https?://\S+/password-reset/\S+/\S+/", body)
    assert PASSWORD not in body and SecondFactor.objects.get(user=personas.admin_a).secret not in body


def test_a_new_password_by_email_still_asks_for_the_app(personas: Personas) -> None:
    turn_on(personas.admin_a)
    client = Client()
    client.post(reverse("password_reset"), {"email": "admin-a@example.gov"})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    new = "another-long-password-77"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    after = Client().post(reverse("sign-in"), {"username": "admin-a", "password": new})
    assert after.status_code == 302 and after["Location"] == reverse("second-factor")


def test_the_second_factor_pages_speak_spanish(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    assert "Agregue Touchstone a la aplicación" in client.get("/es/manage/second-factor/").content.decode()
    turn_on(personas.admin_a)
    spanish = Client()
    spanish.post("/es/sign-in/", {"username": "admin-a", "password": PASSWORD})
    assert (
        "Código de su aplicación de autenticación"
        in spanish.get("/es/sign-in/second-factor/").content.decode()
    )
