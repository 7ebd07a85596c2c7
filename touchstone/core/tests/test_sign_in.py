"""Staff sign in, out, reset a password by email, and are locked out after repeated failures."""

import re

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from touchstone.conftest import PASSWORD, Personas
from touchstone.core.models import SignInThrottle


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


def test_repeated_failures_lock_the_account_even_with_the_right_password(personas: Personas) -> None:
    client = Client()
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(client, "admin-a", "wrong")
    response = sign_in(client, "admin-a", PASSWORD)
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    assert SignInThrottle.objects.get(username="admin-a").is_locked()


def test_a_successful_sign_in_clears_earlier_failures(personas: Personas) -> None:
    client = Client()
    sign_in(client, "admin-a", "wrong")
    assert sign_in(client, "admin-a", PASSWORD).status_code == 302
    assert not SignInThrottle.objects.filter(username="admin-a").exists()


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
