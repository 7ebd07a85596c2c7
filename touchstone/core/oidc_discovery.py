"""A provider's settings read from its discovery document (OpenID Connect Discovery 1.0), for `manage.py
oidc_discover`: an administrator gives the issuer and gets the environment lines to paste, checked.

Read once, by a person, when setting up: the running site keeps its endpoints in settings and fetches no document
at sign-in, so a provider's outage or a changed document cannot change how people sign in without a deploy."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

WELL_KNOWN = "/.well-known/openid-configuration"
SIGN_ALGORITHMS = ("RS256", "ES256", "PS256", "RS384", "ES384", "PS384", "RS512", "ES512", "PS512")


class DiscoveryError(Exception):
    """What is wrong with the issuer or its document, said so an administrator knows what to change."""


@dataclass
class Discovered:
    variables: dict[str, str]  # without the prefix: ISSUER, AUTHORIZATION_ENDPOINT, ...
    notes: list[str] = field(default_factory=list)

    def lines(self, prefix: str) -> list[str]:
        """Environment lines, then notes as comments; a note's {prefix} reads as this provider's variables'."""
        return [f"{prefix}{name}={value}" for name, value in self.variables.items()] + [
            "# " + note.replace("{prefix}", prefix) for note in self.notes
        ]


def document_url(issuer: str) -> str:
    parts = urlsplit(issuer)
    local = parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise DiscoveryError(
            f"The issuer {issuer!r} must be an https:// address (as the provider publishes it)."
        )
    if parts.query or parts.fragment:
        raise DiscoveryError(f"The issuer {issuer!r} has a query or fragment; give the issuer alone.")
    return issuer.rstrip("/") + WELL_KNOWN


def fetch(issuer: str, timeout: float) -> dict[str, Any]:
    url = document_url(issuer)
    try:
        answer = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except requests.RequestException as error:
        raise DiscoveryError(f"Could not reach {url}: {error.__class__.__name__}.") from None
    if answer.status_code != 200:
        raise DiscoveryError(f"{url} answered {answer.status_code}; check the issuer's address.")
    try:
        document = answer.json()
    except ValueError:
        raise DiscoveryError(f"{url} did not answer with JSON; check the issuer's address.") from None
    if not isinstance(document, dict):
        raise DiscoveryError(f"{url} answered JSON that is not an object.")
    return document


def read(issuer: str, document: dict[str, Any]) -> Discovered:
    """The settings Touchstone needs, checked against what Touchstone's sign-in does: the authorization code
    flow, an ID token signed with a public key, and the email from the user info endpoint."""
    named = document.get("issuer")
    if not isinstance(named, str) or named.rstrip("/") != issuer.rstrip("/"):
        raise DiscoveryError(
            f"The document names the issuer {named!r}, not {issuer!r}: ID tokens would be refused. "
            "Check you have the provider's own issuer address."
        )
    variables = {
        "ISSUER": named
    }  # the document's spelling: ID tokens name it exactly, trailing slash and all
    for name, key in (
        ("AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
        ("TOKEN_ENDPOINT", "token_endpoint"),
        ("USERINFO_ENDPOINT", "userinfo_endpoint"),
        ("JWKS_ENDPOINT", "jwks_uri"),
    ):
        value = document.get(key)
        if not isinstance(value, str) or not value:
            raise DiscoveryError(f"The document has no {key}; Touchstone's sign-in needs it.")
        if urlsplit(value).scheme != "https" and urlsplit(named).scheme == "https":
            raise DiscoveryError(f"The document's {key} {value!r} is not https://.")
        variables[name] = value
    notes: list[str] = []
    if "code" not in document.get("response_types_supported", ["code"]):
        raise DiscoveryError(
            "The provider does not offer the authorization code flow (response type 'code')."
        )
    offered = document.get("id_token_signing_alg_values_supported", ["RS256"])
    usable = [algorithm for algorithm in SIGN_ALGORITHMS if algorithm in offered]
    if not usable:
        raise DiscoveryError(
            f"The provider signs ID tokens only with {', '.join(map(str, offered))}; Touchstone needs a "
            "public-key algorithm (RS256, ES256 or PS256)."
        )
    if usable[0] != "RS256":
        variables["SIGN_ALGORITHM"] = usable[0]
    methods = document.get("code_challenge_methods_supported", [])
    if "S256" not in methods:
        variables["USE_PKCE"] = "false"
        notes.append("The provider does not advertise PKCE (S256): give a client secret or a private key.")
    authentication = document.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    if "private_key_jwt" in authentication:
        notes.append(
            "It accepts private_key_jwt: a provider named in OIDC_PROVIDERS may set {prefix}PRIVATE_KEY_FILE "
            "to a PEM key whose public half the provider holds."
        )
    elif not {"client_secret_basic", "client_secret_post"} & set(authentication):
        notes.append(
            f"Its token endpoint authenticates clients by {', '.join(map(str, authentication))} only."
        )
    scopes = document.get("scopes_supported")
    if isinstance(scopes, list) and "email" not in scopes:
        notes.append(
            "It does not list the 'email' scope: people are matched by verified email; ask the provider."
        )
    acr = document.get("acr_values_supported")
    if isinstance(acr, list) and acr:
        notes.append(f"Levels it offers for {{prefix}}ACR_VALUES: {' '.join(map(str, acr))}")
    notes.append(
        "Still to set: {prefix}CLIENT_ID, and {prefix}CLIENT_SECRET_FILE unless PKCE or a private key proves "
        "the client; for a named provider also its NAME (the button's) and AGENCY (to open that agency alone)."
    )
    return Discovered(variables, notes)
