"""Staff sign in through an OpenID Connect provider (Login.gov or their agency's own), through the real callback.

The provider is faked in-process: its token, keys and userinfo endpoints answer from a real RSA key, so the ID
token's signature, issuer, audience, expiry and nonce are all checked as they would be against Login.gov.
"""

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from touchstone.conftest import Personas, make_user
from touchstone.core.models import Membership, User

ISSUER = "https://idp.example.gov"
CLIENT_ID = "urn:gov:gsa:openidconnect.profiles:sp:sso:agency:touchstone"
PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_PROVIDER_NAME": "Login.gov",
    "OIDC_RP_CLIENT_ID": CLIENT_ID,
    "OIDC_RP_CLIENT_SECRET": "",
    "OIDC_OP_ISSUER": ISSUER,
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{ISSUER}/openid_connect/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": f"{ISSUER}/api/openid_connect/token",
    "OIDC_OP_USER_ENDPOINT": f"{ISSUER}/api/openid_connect/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{ISSUER}/api/openid_connect/certs",
    "OIDC_USE_PKCE": True,
    "AUTHENTICATION_BACKENDS": [
        *settings.AUTHENTICATION_BACKENDS,
        "touchstone.core.oidc.AgencySignInBackend",
    ],
}


class Answer:
    def __init__(self, body: Any, status: int = 200) -> None:
        self.body, self.status_code, self.headers, self.url = body, status, {}, "fake"
        self.text = str(body)

    def json(self) -> Any:
        return self.body

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            import requests

            raise requests.HTTPError(str(self.status_code))


@dataclass
class FakeProvider:
    """Login.gov as far as the callback sees it: a token endpoint, its keys and the userinfo endpoint."""

    email: str = "admin-a@example.gov"
    email_verified: bool = True
    audience: str = CLIENT_ID
    issuer: str = ISSUER
    nonce: str | None = None  # the one the sign-in link sent, unless a test forges another
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    token_requests: list[dict[str, Any]] = field(default_factory=list)

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()

        def b64(value: int) -> str:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {
            "keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "n": b64(numbers.n), "e": b64(numbers.e)}]
        }

    def post(self, url: str, data: dict[str, Any], **_: Any) -> Answer:
        self.token_requests.append(dict(data))
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "a1b2c3",
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
        }
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
        return Answer({"access_token": "access-1", "token_type": "Bearer", "id_token": token})

    def get(self, url: str, **_: Any) -> Answer:
        if url.endswith("/certs"):
            return Answer(self.jwks())
        return Answer({"sub": "a1b2c3", "email": self.email, "email_verified": self.email_verified})


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    fake = FakeProvider()
    monkeypatch.setattr("mozilla_django_oidc.auth.requests.post", fake.post)
    monkeypatch.setattr("mozilla_django_oidc.auth.requests.get", fake.get)
    with override_settings(**PROVIDER):
        yield fake


def sign_in_through(
    provider: FakeProvider, client: Client, *, forged_nonce: str | None = None, language: str = "en"
) -> Any:
    """Follow the sign-in link to the provider, and come back to the callback as the provider sends a browser."""
    went = client.get(reverse("oidc_authentication_init"), {"language": language})
    assert went.status_code == 302 and went["Location"].startswith(PROVIDER["OIDC_OP_AUTHORIZATION_ENDPOINT"])
    query = parse_qs(urlparse(went["Location"]).query)
    provider.nonce = forged_nonce or query["nonce"][0]
    return client.get(reverse("oidc_authentication_callback"), {"code": "code-1", "state": query["state"][0]})


def test_the_sign_in_page_offers_the_provider_when_it_is_set_up(
    personas: Personas, provider: FakeProvider
) -> None:
    html = Client().get(reverse("sign-in")).content.decode()
    assert "Sign in with Login.gov" in html and reverse("oidc_authentication_init") in html


def test_a_member_signs_in_through_the_provider_and_reaches_their_agency(
    personas: Personas, provider: FakeProvider
) -> None:
    client = Client()
    response = sign_in_through(provider, client)
    assert response.status_code == 302
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 200
    sent = provider.token_requests[0]
    assert sent["client_id"] == CLIENT_ID and sent["code_verifier"] and "client_secret" not in sent


def test_a_sign_in_started_on_the_spanish_pages_makes_the_persons_emails_spanish(
    personas: Personas, provider: FakeProvider
) -> None:
    sign_in_through(provider, Client(HTTP_ACCEPT_LANGUAGE="en"), language="es")
    personas.admin_a.refresh_from_db()
    assert (
        personas.admin_a.language == "es"
    )  # the page's language, not the browser's, which the return carries
    sign_in_through(provider, Client(HTTP_ACCEPT_LANGUAGE="es"), language="en")
    personas.admin_a.refresh_from_db()
    assert personas.admin_a.language == "en"


def test_the_email_matches_whatever_its_case(personas: Personas, provider: FakeProvider) -> None:
    provider.email = "Admin-A@Example.GOV"
    client = Client()
    assert sign_in_through(provider, client).status_code == 302
    assert client.get(reverse("manage:home")).status_code == 302


def test_someone_no_admin_added_is_told_to_ask_their_admin_and_no_account_is_made(
    personas: Personas, provider: FakeProvider
) -> None:
    provider.email = "stranger@example.gov"
    users_before = User.objects.count()
    response = sign_in_through(provider, Client())
    assert response.status_code == 403
    assert "Ask your agency" in response.content.decode()
    assert User.objects.count() == users_before


def test_an_account_without_any_membership_is_not_let_in(personas: Personas, provider: FakeProvider) -> None:
    make_user("former")  # former@example.gov
    provider.email = "former@example.gov"
    client = Client()
    response = sign_in_through(provider, client)
    assert response.status_code == 403 and "Ask your agency" in response.content.decode()
    assert client.get(reverse("manage:home")).status_code == 302  # still to the sign-in page
    assert not Membership.objects.filter(user__username="former").exists()


def test_an_unconfirmed_email_is_refused(personas: Personas, provider: FakeProvider) -> None:
    provider.email_verified = False
    response = sign_in_through(provider, Client())
    assert response.status_code == 403 and "did not confirm an email address" in response.content.decode()


def test_a_token_made_for_another_service_is_refused(personas: Personas, provider: FakeProvider) -> None:
    provider.audience = "urn:gov:gsa:openidconnect.profiles:sp:sso:other:app"
    client = Client()
    response = sign_in_through(provider, client)
    assert response.status_code == 403 and "could not be accepted" in response.content.decode()
    assert client.get(reverse("manage:home")).status_code == 302


def test_a_replayed_or_forged_nonce_is_refused(personas: Personas, provider: FakeProvider) -> None:
    response = sign_in_through(provider, Client(), forged_nonce="not-the-one-we-sent")
    assert response.status_code == 403


def test_a_token_signed_by_another_key_is_refused(personas: Personas, provider: FakeProvider) -> None:
    real_keys = provider.jwks()
    provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    provider.jwks = lambda: real_keys  # type: ignore[method-assign]
    assert sign_in_through(provider, Client()).status_code == 403


def test_a_callback_without_a_sign_in_started_here_signs_nobody_in(
    personas: Personas, provider: FakeProvider
) -> None:
    client = Client()
    response = client.get(reverse("oidc_authentication_callback"), {"code": "code-1", "state": "guessed"})
    assert response.status_code == 403
    assert client.get(reverse("manage:home")).status_code == 302


def test_without_a_provider_set_up_the_provider_addresses_do_not_exist(personas: Personas) -> None:
    assert Client().get(reverse("oidc_authentication_init")).status_code == 404
    assert Client().get(reverse("oidc_authentication_callback")).status_code == 404
    assert "Sign in with" not in Client().get(reverse("sign-in")).content.decode()


def test_the_refusal_is_explained_in_spanish(personas: Personas, provider: FakeProvider) -> None:
    provider.email = "stranger@example.gov"
    link = Client().get("/es/sign-in/").content.decode()
    assert f'href="{reverse("oidc_authentication_init")}?language=es"' in link
    response = sign_in_through(provider, Client(), language="es")
    assert "Pida al administrador de Touchstone de su agencia" in response.content.decode()


def test_an_admin_with_an_authenticator_app_still_gives_its_code(
    personas: Personas, provider: FakeProvider
) -> None:
    import pyotp

    from touchstone.core import services

    secret = pyotp.random_base32()
    services.enrol_second_factor(user=personas.admin_a, secret=secret, code=pyotp.TOTP(secret).now())
    client = Client()
    response = sign_in_through(provider, client)
    assert response.status_code == 302 and response["Location"] == reverse("second-factor")
    assert client.get(reverse("manage:home")).status_code == 302
