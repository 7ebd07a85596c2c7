"""Staff sign in, out, reset a password by email, and are locked out after repeated failures."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from touchstone.conftest import PASSWORD, Personas


def sign_in(client: Client, username: str, password: str) -> object:
    return client.post(reverse("sign-in"), {"username": username, "password": password})


def test_staff_sign_in_and_reach_their_workspace(personas: Personas) -> None:
    client = Client()
    response = sign_in(client, "admin-a", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 200


def test_a_wrong_password_says_so_without_saying_which_part(personas: Personas) -> None:
    response = sign_in(Client(), "admin-a", "wrong")
    assert response.status_code == 200
    assert "user name or password is not right" in response.content.decode()


def sign_in_from(address: str, username: str, password: str) -> object:
    return Client(REMOTE_ADDR=address).post(reverse("sign-in"), {"username": username, "password": password})


def test_repeated_failures_pause_sign_in_from_that_address_even_with_the_right_password(
    personas: Personas,
) -> None:
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in_from("203.0.113.5", "admin-a", "wrong")
    response = sign_in_from("203.0.113.5", "admin-a", PASSWORD)
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert "paused after too many failed tries" in response.content.decode()  # type: ignore[attr-defined]


def test_nobody_can_lock_an_admin_out_from_another_address(personas: Personas) -> None:
    for _ in range(settings.SIGN_IN_MAX_FAILURES + 3):
        sign_in_from("203.0.113.5", "admin-a", "wrong")
    assert sign_in_from("198.51.100.7", "admin-a", PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_one_address_cannot_try_many_user_names(personas: Personas) -> None:
    names = ["admin-a", "analyst-a", "handler-a", "viewer-a", "admin-b", "analyst-b"]
    for name in names[: settings.SIGN_IN_MAX_FAILURES]:
        sign_in_from("203.0.113.9", name, "wrong")
    assert sign_in_from("203.0.113.9", "frontline-a", PASSWORD).status_code == 429  # type: ignore[attr-defined]


def test_a_successful_sign_in_clears_earlier_failures(personas: Personas) -> None:
    for _ in range(settings.SIGN_IN_MAX_FAILURES - 1):
        sign_in_from("203.0.113.5", "admin-a", "wrong")
    assert sign_in_from("203.0.113.5", "admin-a", PASSWORD).status_code == 302  # type: ignore[attr-defined]
    for _ in range(settings.SIGN_IN_MAX_FAILURES - 1):
        sign_in_from("203.0.113.5", "admin-a", "wrong")
    assert sign_in_from("203.0.113.5", "admin-a", PASSWORD).status_code == 302  # type: ignore[attr-defined]


@pytest.mark.usefixtures("within_one_minute")
@override_settings(PASSWORD_RESETS_PER_MINUTE=2)
def test_password_resets_are_throttled_per_address(personas: Personas) -> None:
    cache.clear()
    client = Client(REMOTE_ADDR="203.0.113.20")
    codes = [
        client.post(reverse("password_reset"), {"email": "admin-a@example.gov"}).status_code for _ in range(4)
    ]
    assert codes == [302, 302, 429, 429]
    assert len(mail.outbox) == 2


def test_sign_out_ends_the_session(personas: Personas) -> None:
    client = personas.client(personas.admin_a)
    assert client.post(reverse("sign-out")).status_code == 302
    assert client.get(reverse("manage:home")).status_code == 302


def test_sessions_expire(personas: Personas) -> None:
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_a_password_reset_link_arrives_by_email_and_sets_a_new_password(personas: Personas) -> None:
    client = Client()
    client.post(reverse("password_reset"), {"email": "admin-a@example.gov"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link is not None
    response = client.get(link.group(1), follow=True)
    new_password = "a-brand-new-password-42"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert sign_in(Client(), "admin-a", new_password).status_code == 302


def test_a_reset_for_an_unknown_address_sends_nothing(personas: Personas) -> None:
    Client().post(reverse("password_reset"), {"email": "nobody@example.gov"})
    assert mail.outbox == []


def test_every_form_carries_a_csrf_token(personas: Personas) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("sign-in"), {"username": "admin-a", "password": PASSWORD}).status_code == 403
    assert 'name="csrfmiddlewaretoken"' in strict.get(reverse("sign-in")).content.decode()


def test_the_paused_sign_in_is_explained_in_spanish(personas: Personas) -> None:
    client = Client(REMOTE_ADDR="203.0.113.44")
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        client.post("/es/sign-in/", {"username": "admin-a", "password": "wrong"})
    response = client.post("/es/sign-in/", {"username": "admin-a", "password": PASSWORD})
    assert response.status_code == 429
    assert "está en pausa tras demasiados intentos fallidos" in response.content.decode()
