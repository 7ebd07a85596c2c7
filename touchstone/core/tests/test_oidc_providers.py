"""Several OpenID Connect providers at once: Login.gov (the default provider, OIDC_*) beside an agency's own identity
provider (OIDC_PROVIDERS), each with its own button, its own keys and, for the agency's, its own agency.

Both providers are faked in-process as in test_oidc_sign_in.py, each with its own RSA key (under the same key id,
so a token is told apart by its signature, not by a missing key), token, keys and userinfo endpoints.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from touchstone.conftest import PASSWORD, Personas, make_user
from touchstone.core.models import ImportRun, Membership, Role, User
from touchstone.core.tests.test_oidc_sign_in import PROVIDER, FakeProvider

AGENCY_ISSUER = "https://sts.beta.example.gov"
AGENCY_CLIENT_ID = "touchstone-beta"


def agency_provider(agency_slug: str, **extra: Any) -> dict[str, Any]:
    """The settings OIDC_PROVIDERS=beta and OIDC_BETA_* make (touchstone.settings.oidc_provider)."""
    return {
        "name": "Beta PIV",
        "client_id": AGENCY_CLIENT_ID,
        "client_secret": "beta-secret",
        "private_key": "",
        "issuer": AGENCY_ISSUER,
        "authorization_endpoint": f"{AGENCY_ISSUER}/oauth2/authorize",
        "token_endpoint": f"{AGENCY_ISSUER}/oauth2/token",
        "userinfo_endpoint": f"{AGENCY_ISSUER}/oauth2/userinfo",
        "jwks_endpoint": f"{AGENCY_ISSUER}/oauth2/certs",
        "sign_algorithm": "RS256",
        "scopes": "openid email",
        "use_pkce": False,
        "acr_values": "",
        "agency": agency_slug,
        **extra,
    }


@dataclass
class Providers:
    logingov: FakeProvider
    beta: FakeProvider
    fetched: list[str]

    def of(self, url: str) -> FakeProvider:
        self.fetched.append(url)
        return self.beta if url.startswith(AGENCY_ISSUER) else self.logingov

    def post(self, url: str, data: dict[str, Any], **extra: Any) -> Any:
        return self.of(url).post(url, data, **extra)

    def get(self, url: str, **extra: Any) -> Any:
        return self.of(url).get(url, **extra)


@pytest.fixture
def providers(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> Iterator[Providers]:
    both = Providers(
        FakeProvider(),
        FakeProvider(email="admin-b@example.gov", audience=AGENCY_CLIENT_ID, issuer=AGENCY_ISSUER),
        [],
    )
    monkeypatch.setattr("mozilla_django_oidc.auth.requests.post", both.post)
    monkeypatch.setattr("mozilla_django_oidc.auth.requests.get", both.get)
    with override_settings(**PROVIDER, OIDC_PROVIDERS={"beta": agency_provider(personas.agency_b.slug)}):
        yield both


def start(client: Client, provider: str = "", language: str = "en") -> dict[str, str]:
    """Follow a sign-in button to its provider; the query the provider is sent."""
    link = reverse("oidc-sign-in", args=[provider]) if provider else reverse("oidc_authentication_init")
    went = client.get(link, {"language": language})
    assert went.status_code == 302
    return {key: values[0] for key, values in parse_qs(urlparse(went["Location"]).query).items()} | {
        "to": went["Location"].split("?")[0]
    }


def come_back(client: Client, fake: FakeProvider, sent: dict[str, str], **query: str) -> Any:
    """The provider sends the browser back to the one callback, with a code for the state it was given."""
    fake.nonce = sent["nonce"]
    return client.get(
        reverse("oidc_authentication_callback"), {"code": "code-1", "state": sent["state"], **query}
    )


def sign_in_through(client: Client, fake: FakeProvider, provider: str = "") -> Any:
    return come_back(client, fake, start(client, provider))


def test_the_sign_in_page_has_a_button_for_each_provider_in_english_and_spanish(providers: Providers) -> None:
    html = Client().get(reverse("sign-in")).content.decode()
    assert f'href="{reverse("oidc_authentication_init")}?language=en">Sign in with Login.gov</a>' in html
    assert f'href="{reverse("oidc-sign-in", args=["beta"])}?language=en">Sign in with Beta PIV</a>' in html
    spanish = Client().get("/es/sign-in/").content.decode()
    assert (
        f'href="{reverse("oidc-sign-in", args=["beta"])}?language=es">Iniciar sesión con Beta PIV</a>'
        in spanish
    )


def test_each_button_goes_to_its_own_provider_with_its_own_client(providers: Providers) -> None:
    client = Client()
    logingov = start(client)
    beta = start(client, "beta")
    assert (
        logingov["to"] == PROVIDER["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        and logingov["client_id"] == PROVIDER["OIDC_RP_CLIENT_ID"]
    )
    assert logingov["code_challenge"] and logingov["code_challenge_method"] == "S256"
    assert beta["to"] == f"{AGENCY_ISSUER}/oauth2/authorize" and beta["client_id"] == AGENCY_CLIENT_ID
    assert "code_challenge" not in beta
    assert Client().get(reverse("oidc-sign-in", args=["nobody"])).status_code == 404


def test_each_provider_signs_in_its_own_person_and_nobody_is_created(
    personas: Personas, providers: Providers
) -> None:
    people, members = User.objects.count(), Membership.objects.count()
    alpha = Client()
    assert sign_in_through(alpha, providers.logingov).status_code == 302
    assert alpha.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 200

    beta = Client()
    assert sign_in_through(beta, providers.beta, "beta").status_code == 302
    assert beta.get(reverse("manage:agency-home", args=[personas.agency_b.slug])).status_code == 200
    assert beta.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 404

    # Each code went to its own provider's token endpoint, with its own client's credentials.
    (to_logingov,) = providers.logingov.token_requests
    (to_beta,) = providers.beta.token_requests
    assert to_logingov["client_id"] == PROVIDER["OIDC_RP_CLIENT_ID"] and "client_secret" not in to_logingov
    assert to_beta["client_id"] == AGENCY_CLIENT_ID and to_beta["client_secret"] == "beta-secret"
    assert f"{AGENCY_ISSUER}/oauth2/certs" in providers.fetched
    assert (User.objects.count(), Membership.objects.count()) == (people, members)


def test_a_token_signed_by_one_provider_is_refused_on_the_others_sign_in(
    personas: Personas, providers: Providers
) -> None:
    # Login.gov's key signs what comes back on the agency provider's sign-in: the agency's keys do not verify it.
    beta_keys = providers.beta.jwks()
    providers.beta.key = providers.logingov.key
    providers.beta.jwks = lambda: beta_keys  # type: ignore[method-assign]
    client = Client()
    response = sign_in_through(client, providers.beta, "beta")
    assert response.status_code == 403 and "could not be accepted" in response.content.decode()
    assert client.get(reverse("manage:home")).status_code == 302
    # And a token Login.gov really issued (its issuer, its audience) is refused on the agency's sign-in too.
    providers.beta.issuer, providers.beta.audience = PROVIDER["OIDC_OP_ISSUER"], PROVIDER["OIDC_RP_CLIENT_ID"]
    providers.beta.email = "admin-a@example.gov"
    assert sign_in_through(Client(), providers.beta, "beta").status_code == 403


def test_the_return_is_checked_against_the_provider_that_started_it(
    personas: Personas, providers: Providers
) -> None:
    client = Client()
    sent = start(client, "beta")
    # The code exchange goes to the agency's provider whatever the return claims.
    assert come_back(client, providers.beta, sent, iss=PROVIDER["OIDC_OP_ISSUER"]).status_code == 403
    assert providers.logingov.token_requests == [] and providers.beta.token_requests == []
    sent = start(client, "beta")
    assert come_back(client, providers.beta, sent, iss=AGENCY_ISSUER).status_code == 302


def test_an_agency_provider_refuses_someone_whose_access_is_with_another_agency(
    personas: Personas, providers: Providers
) -> None:
    providers.beta.email = "admin-a@example.gov"  # a member of Alpha only
    client = Client()
    response = sign_in_through(client, providers.beta, "beta")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Signing in with Beta PIV opens the workspace of Bureau of Beta only" in html
    assert client.get(reverse("manage:home")).status_code == 302
    assert not Membership.objects.filter(user=personas.admin_a, agency=personas.agency_b).exists()
    spanish = Client()
    answer = come_back(spanish, providers.beta, start(spanish, "beta", language="es"))
    assert (
        "Iniciar sesión con Beta PIV abre solo el espacio de trabajo de Bureau of Beta"
        in answer.content.decode()
    )


def test_an_agency_provider_opens_that_agency_only_even_for_a_member_of_several(
    personas: Personas, providers: Providers
) -> None:
    both = make_user("both", personas.agency_a, Role.ADMIN, is_overseer=True)
    Membership.objects.create(user=both, agency=personas.agency_b, role=Role.ANALYST)
    providers.beta.email = providers.logingov.email = "both@example.gov"
    client = Client()
    assert sign_in_through(client, providers.beta, "beta").status_code == 302
    home = client.get(reverse("manage:home"))
    assert home.status_code == 302 and home["Location"] == reverse(
        "manage:agency-home", args=[personas.agency_b.slug]
    )
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 404
    assert client.get(reverse("manage:oversight")).status_code == 403
    assert (
        "Switch agency"
        not in client.get(reverse("manage:agency-home", args=[personas.agency_b.slug])).content.decode()
    )
    # Installation staff too: the agency's imports page offers none of the kinds that write every agency's records.
    both.is_superuser = True
    both.save(update_fields=["is_superuser"])
    imports = reverse("manage:imports", args=[personas.agency_b.slug])
    assert 'value="canada-agencies"' not in client.get(imports).content.decode()
    refused = client.post(imports, {"kind": "canada-agencies", "file": SimpleUploadedFile("a.csv", b"x")})
    assert refused.status_code == 200 and not ImportRun.objects.exists()
    # Signing in through Login.gov, which is not one agency's, opens every membership again.
    assert sign_in_through(client, providers.logingov).status_code == 302
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 200
    assert client.get(reverse("manage:oversight")).status_code == 200
    assert 'value="canada-agencies"' in client.get(imports).content.decode()
    # And so does a password, after the agency's provider again (signed out first: the sign-in page sends someone
    # signed in on to the workspace, still limited).
    assert sign_in_through(client, providers.beta, "beta").status_code == 302
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 404
    client.post(reverse("sign-out"))
    signed_in = client.post(reverse("sign-in"), {"username": "both", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 200


def test_an_admin_with_an_authenticator_app_keeps_the_agency_limit_after_the_code(
    personas: Personas, providers: Providers
) -> None:
    import pyotp

    from touchstone.core import services

    Membership.objects.create(user=personas.admin_b, agency=personas.agency_a, role=Role.VIEWER)
    secret = pyotp.random_base32()
    services.enrol_second_factor(user=personas.admin_b, secret=secret, code=pyotp.TOTP(secret).now())
    client = Client()
    assert sign_in_through(client, providers.beta, "beta")["Location"] == reverse("second-factor")
    assert client.get(reverse("manage:home")).status_code == 302  # not yet signed in
    # A code of the next step: the one just used to enrol cannot be used again.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert client.post(reverse("second-factor"), {"code": code}).status_code == 302
    assert client.get(reverse("manage:agency-home", args=[personas.agency_b.slug])).status_code == 200
    assert client.get(reverse("manage:agency-home", args=[personas.agency_a.slug])).status_code == 404


def test_a_provider_with_a_private_key_proves_the_client_with_a_signed_assertion(
    personas: Personas, providers: Providers
) -> None:
    ours = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = ours.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    keyed = agency_provider(personas.agency_b.slug, private_key=pem, client_secret="")
    with override_settings(OIDC_PROVIDERS={"beta": keyed}):
        assert sign_in_through(Client(), providers.beta, "beta").status_code == 302
    (sent,) = providers.beta.token_requests
    assert "client_secret" not in sent
    assert sent["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    claims = jwt.decode(
        sent["client_assertion"],
        ours.public_key(),
        algorithms=["RS256"],
        audience=f"{AGENCY_ISSUER}/oauth2/token",
    )
    assert claims["iss"] == claims["sub"] == AGENCY_CLIENT_ID and claims["exp"] - claims["iat"] <= 300


def test_the_environment_names_each_provider_and_a_missing_setting_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from touchstone.settings import oidc_provider

    for name, value in {
        "CLIENT_ID": "touchstone",
        "ISSUER": AGENCY_ISSUER,
        "AUTHORIZATION_ENDPOINT": f"{AGENCY_ISSUER}/a",
        "TOKEN_ENDPOINT": f"{AGENCY_ISSUER}/t",
        "USERINFO_ENDPOINT": f"{AGENCY_ISSUER}/u",
        "JWKS_ENDPOINT": f"{AGENCY_ISSUER}/k",
        "NAME": "Treasury PIV",
        "AGENCY": "treasury",
    }.items():
        monkeypatch.setenv(f"OIDC_US_TREASURY_{name}", value)
    config = oidc_provider("us-treasury")
    assert (config["name"], config["agency"], config["use_pkce"]) == ("Treasury PIV", "treasury", True)
    monkeypatch.delenv("OIDC_US_TREASURY_TOKEN_ENDPOINT")
    with pytest.raises(ImproperlyConfigured, match="OIDC_US_TREASURY_TOKEN_ENDPOINT"):
        oidc_provider("us-treasury")
    with pytest.raises(ImproperlyConfigured, match="lower-case letters"):
        oidc_provider("Treasury!")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_without_javascript_each_button_signs_in_through_its_provider(
    personas: Personas, providers: Providers, live_server: Any, browser: Any, phone_page: Any
) -> None:
    from touchstone.conftest import assert_accessible

    for language, label in (("", "Sign in with Beta PIV"), ("/es", "Iniciar sesión con Beta PIV")):
        phone_page.goto(f"{live_server.url}{language}/sign-in/")
        assert phone_page.get_by_role("link", name=label).is_visible()
        assert_accessible(phone_page)
        assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    def provider_answers(route: Any) -> None:
        """The agency's provider: it knows the person, and sends the browser back with a code for its state."""
        query = {key: values[0] for key, values in parse_qs(urlparse(route.request.url).query).items()}
        providers.beta.nonce = query["nonce"]
        back = f"{live_server.url}/oidc/callback/?code=code-1&state={query['state']}"
        route.fulfill(status=302, headers={"Location": back})

    page.route(f"{AGENCY_ISSUER}/**", provider_answers)
    try:
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_role("link", name="Sign in with Beta PIV").click()
        page.wait_for_url(f"{live_server.url}/manage/{personas.agency_b.slug}/")
        assert page.get_by_role("heading", level=1).count() == 1
    finally:
        context.close()
