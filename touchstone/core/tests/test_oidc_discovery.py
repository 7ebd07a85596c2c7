"""An administrator sets up a provider from its issuer alone: `manage.py oidc_discover` reads the provider's
discovery document (served here by a real local HTTP server) and prints checked OIDC_* lines that the settings
accept as they are; a wrong issuer or a document Touchstone cannot sign in with is refused, saying why."""

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from touchstone import settings as touchstone_settings
from touchstone.core.oidc import Provider

PROVIDER = "https://idp.treasury.example.gov"  # the endpoints the document names


def login_gov_like(issuer: str) -> dict[str, Any]:
    """The shape of Login.gov's published document."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{PROVIDER}/openid_connect/authorize",
        "token_endpoint": f"{PROVIDER}/api/openid_connect/token",
        "userinfo_endpoint": f"{PROVIDER}/api/openid_connect/userinfo",
        "jwks_uri": f"{PROVIDER}/api/openid_connect/certs",
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "email", "address"],
        "acr_values_supported": ["http://idmanagement.gov/ns/assurance/ial/1"],
    }


class Documents:
    """What the local provider serves at /.well-known/openid-configuration, set by each test."""

    body: Any = None
    status = 200


@pytest.fixture
def provider() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/.well-known/openid-configuration":
                self.send_error(404)
                return
            payload = (
                Documents.body if isinstance(Documents.body, bytes) else json.dumps(Documents.body).encode()
            )
            self.send_response(Documents.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    issuer = f"http://127.0.0.1:{server.server_address[1]}/"
    Documents.body, Documents.status = login_gov_like(issuer), 200
    yield issuer
    server.shutdown()
    server.server_close()


def discover(*args: str) -> list[str]:
    output = io.StringIO()
    call_command("oidc_discover", *args, stdout=output)
    return output.getvalue().splitlines()


def test_the_printed_lines_are_settings_the_site_accepts(provider: str, monkeypatch: Any) -> None:
    lines = discover(provider, "--name", "treasury")
    assert lines[0] == "# Add treasury to OIDC_PROVIDERS."
    variables = dict(line.split("=", 1) for line in lines if not line.startswith("#"))
    assert variables == {
        "OIDC_TREASURY_ISSUER": provider,
        "OIDC_TREASURY_AUTHORIZATION_ENDPOINT": f"{PROVIDER}/openid_connect/authorize",
        "OIDC_TREASURY_TOKEN_ENDPOINT": f"{PROVIDER}/api/openid_connect/token",
        "OIDC_TREASURY_USERINFO_ENDPOINT": f"{PROVIDER}/api/openid_connect/userinfo",
        "OIDC_TREASURY_JWKS_ENDPOINT": f"{PROVIDER}/api/openid_connect/certs",
    }
    comments = "\n".join(line for line in lines if line.startswith("#"))
    assert "OIDC_TREASURY_PRIVATE_KEY_FILE" in comments  # it takes private_key_jwt only
    assert "OIDC_TREASURY_ACR_VALUES: http://idmanagement.gov/ns/assurance/ial/1" in comments
    assert "OIDC_TREASURY_CLIENT_ID" in comments
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OIDC_TREASURY_CLIENT_ID", "touchstone")
    treasury = Provider(key="treasury", **touchstone_settings.oidc_provider("treasury"))  # type: ignore[arg-type]
    assert treasury.issuer == provider and treasury.jwks_endpoint.endswith("/certs")
    assert treasury.use_pkce and treasury.sign_algorithm == "RS256"


def test_without_a_name_the_lines_are_the_default_providers(provider: str) -> None:
    lines = discover(provider)
    assert f"OIDC_ISSUER={provider}" in lines
    assert f"OIDC_JWKS_ENDPOINT={PROVIDER}/api/openid_connect/certs" in lines


def test_a_provider_without_pkce_and_with_another_algorithm_is_said_so(provider: str) -> None:
    Documents.body |= {
        "code_challenge_methods_supported": [],
        "id_token_signing_alg_values_supported": ["HS256", "ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }
    lines = discover(provider, "--name", "entra")
    assert "OIDC_ENTRA_SIGN_ALGORITHM=ES256" in lines
    assert "OIDC_ENTRA_USE_PKCE=false" in lines
    assert any("does not advertise PKCE" in line for line in lines)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            {"issuer": "https://someone-else.example.gov/"},
            "names the issuer 'https://someone-else.example.gov/'",
        ),
        ({"jwks_uri": None}, "has no jwks_uri"),
        ({"userinfo_endpoint": ""}, "has no userinfo_endpoint"),
        ({"response_types_supported": ["id_token"]}, "authorization code flow"),
        ({"id_token_signing_alg_values_supported": ["HS256"]}, "signs ID tokens only with HS256"),
    ],
)
def test_a_document_touchstone_cannot_sign_in_with_is_refused_saying_why(
    provider: str, change: dict[str, Any], said: str
) -> None:
    Documents.body |= change
    with pytest.raises(CommandError, match=said.replace("(", r"\(")):
        discover(provider)


def test_a_wrong_address_or_an_answer_that_is_not_a_document_is_refused(provider: str) -> None:
    with pytest.raises(CommandError, match="must be an https:// address"):
        discover("http://idp.example.gov/")
    Documents.status = 404
    with pytest.raises(CommandError, match="answered 404; check the issuer's address"):
        discover(provider)
    Documents.status, Documents.body = 200, b"<html>sign in</html>"
    with pytest.raises(CommandError, match="did not answer with JSON"):
        discover(provider)
    with pytest.raises(CommandError, match="--name 'Treasury'"):
        discover(provider, "--name", "Treasury")


def test_an_endpoint_that_is_not_https_is_refused_for_an_https_issuer() -> None:
    from touchstone.core.oidc_discovery import DiscoveryError, read

    document = login_gov_like("https://idp.example.gov/") | {"token_endpoint": "http://idp.example.gov/token"}
    with pytest.raises(DiscoveryError, match="token_endpoint 'http://idp.example.gov/token' is not https"):
        read("https://idp.example.gov/", document)
