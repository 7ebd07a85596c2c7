"""Sign-in through OpenID Connect providers: Login.gov and any number of agencies' own (Entra ID, Okta, ...), each
with its own button on the sign-in page.

The provider proves who the person is; Touchstone alone decides what they may see. A verified email from the
provider is matched to an active account that already has a membership an agency admin granted (or is an
overseer). Nobody is created and no membership is ever added here: a person the provider knows but no admin has
added is told to ask their agency's admin. An agency's own provider may be limited to that agency: its sign-in
opens only that agency's workspace (touchstone.core.access), and someone whose access is elsewhere is refused.

One return address serves every provider: the sign-in link keeps the provider's name beside the state it sends,
and the callback exchanges the code with that provider alone and checks the ID token against its keys, issuer and
client id only. Settings: OIDC_* and OIDC_PROVIDERS in settings.py; docs/deploy.md, "Sign-in".
"""

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from touchstone.core import second_factor
from touchstone.core.access import keep_sign_in_agency
from touchstone.core.models import Agency, User

logger = logging.getLogger(__name__)

# Why a sign-in through the provider was refused, kept on the request for the page that says so.
NO_ACCOUNT = "no-account"
UNVERIFIED = "unverified"
OTHER_AGENCY = "other-agency"
FAILED = "failed"
LANGUAGE = "oidc_language"
DEFAULT = "default"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class Provider:
    key: str
    name: str  # on its button and in messages: "Login.gov", "Treasury PIV"
    client_id: str
    client_secret: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_endpoint: str
    sign_algorithm: str = "RS256"
    scopes: str = "openid email"
    use_pkce: bool = True
    acr_values: str = ""
    private_key: str = ""  # PEM: the client proves itself with a signed assertion (private_key_jwt)
    agency: str = ""  # an agency's slug: this provider's sign-in opens that agency's workspace only


def providers() -> dict[str, Provider]:
    """Every provider set up, the default (OIDC_CLIENT_ID) first, then OIDC_PROVIDERS in their order."""
    found = {}
    if settings.OIDC_RP_CLIENT_ID:
        found[DEFAULT] = Provider(
            key=DEFAULT,
            name=settings.OIDC_PROVIDER_NAME,
            client_id=settings.OIDC_RP_CLIENT_ID,
            client_secret=settings.OIDC_RP_CLIENT_SECRET,
            issuer=settings.OIDC_OP_ISSUER,
            authorization_endpoint=settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
            token_endpoint=settings.OIDC_OP_TOKEN_ENDPOINT,
            userinfo_endpoint=settings.OIDC_OP_USER_ENDPOINT,
            jwks_endpoint=settings.OIDC_OP_JWKS_ENDPOINT,
            sign_algorithm=settings.OIDC_RP_SIGN_ALGO,
            scopes=settings.OIDC_RP_SCOPES,
            use_pkce=settings.OIDC_USE_PKCE,
            acr_values=settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS.get("acr_values", ""),
        )
    for key, config in settings.OIDC_PROVIDERS.items():
        found[key] = Provider(key=key, **config)  # type: ignore[arg-type]
    return found


def provider_named(key: str) -> Provider:
    """The provider of this name (the first one set up when none is named), or 404."""
    known = providers()
    provider = known.get(key) if key else next(iter(known.values()), None)
    if provider is None:
        raise Http404("Sign-in through this provider is not set up here.")
    return provider


class AgencySignInBackend(OIDCAuthenticationBackend):
    """The code exchange and token checks of the provider that started this sign-in (request.oidc_provider)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The provider's settings come with each sign-in (authenticate); none are read here.
        self.UserModel = get_user_model()
        self.provider: Provider | None = None

    def get_settings(self, attr: str, *args: Any) -> Any:  # type: ignore[override]
        if attr == "OIDC_RP_SCOPES" and self.provider is not None:
            return self.provider.scopes
        return import_from_settings(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:  # type: ignore[override]
        provider = getattr(request, "oidc_provider", None)
        if request is None or provider is None:
            return None  # not a return from a provider (a password, say): the other backends answer
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = provider.sign_algorithm
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The library checks the signature and expiry; the token must also be from this provider and for us."""
        assert self.provider is not None
        claims = super()._verify_jws(payload, key)
        try:
            jwt.decode(
                payload,
                key,
                algorithms=[self.provider.sign_algorithm],
                audience=self.provider.client_id,
                issuer=self.provider.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {type(error).__name__}") from error
        return claims

    def get_token(self, payload: dict[str, Any]) -> Any:
        assert self.provider is not None
        if self.provider.private_key:
            # private_key_jwt (Login.gov's choice for a server): a short-lived assertion signed with our key.
            payload.pop("client_secret", None)
            now = int(time.time())
            payload["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            payload["client_assertion"] = jwt.encode(
                {
                    "iss": self.provider.client_id,
                    "sub": self.provider.client_id,
                    "aud": self.provider.token_endpoint,
                    "jti": uuid.uuid4().hex,
                    "iat": now,
                    "exp": now + 300,
                },
                self.provider.private_key,
                algorithm="RS256",
            )
        elif not payload.get("client_secret"):
            payload.pop("client_secret", None)  # PKCE: the verifier stands in for a secret
        return super().get_token(payload)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if claims.get("email") and claims.get("email_verified") is True:
            return True
        self.request.oidc_refusal = UNVERIFIED  # type: ignore[attr-defined]
        return False

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(email__iexact=str(claims["email"]).strip(), is_active=True)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        """The one active account with this verified email that an admin gave access to; never a new one. Through
        an agency's own provider, only a member of that agency, whose sign-in then opens that agency alone."""
        assert self.provider is not None
        user = super().get_or_create_user(access_token, id_token, payload)  # OIDC_CREATE_USER is off
        if user is None or not (user.is_overseer or user.memberships.exists()):
            self.request.oidc_refusal = NO_ACCOUNT  # type: ignore[attr-defined]
            return None
        if self.provider.agency:
            agency = Agency.objects.filter(slug=self.provider.agency).first()
            if agency is None or not user.memberships.filter(agency=agency).exists():
                self.request.oidc_refusal = OTHER_AGENCY  # type: ignore[attr-defined]
                return None
            self.request.sign_in_agency = agency.pk  # type: ignore[attr-defined]
        return user


class SignInView(OIDCAuthenticationRequestView):
    """Off to the provider, with a state, a nonce and (PKCE) a code challenge kept in the session, and beside them
    the provider's name, so that the return is checked against that provider alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(
            *args, **kwargs
        )  # the provider is known at dispatch
        self.provider: Provider | None = None

    def get_settings(self, attr: str, *args: Any) -> Any:  # type: ignore[override]
        provider = self.provider
        if provider is not None:
            if attr == "OIDC_RP_SCOPES":
                return provider.scopes
            if attr == "OIDC_USE_PKCE":
                return provider.use_pkce
            if attr == "OIDC_AUTH_REQUEST_EXTRA_PARAMS":
                return {"acr_values": provider.acr_values} if provider.acr_values else {}
        return import_from_settings(attr, *args)

    def dispatch(self, request: HttpRequest, *args: Any, provider: str = "", **kwargs: Any) -> HttpResponse:
        self.provider = provider_named(provider)
        self.OIDC_OP_AUTH_ENDPOINT = self.provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        # The provider returns to one fixed address, outside the language prefix: remember the page's language.
        wanted = request.GET.get("language", "")
        request.session[LANGUAGE] = wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        response = super().dispatch(request, *args, **kwargs)
        states = parse_qs(urlparse(response["Location"]).query).get("state", [])
        if states:
            request.session["oidc_states"][states[0]]["provider"] = self.provider.key
            request.session.modified = True
        return response


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's return: signed in as the matched account, or a page saying why not and what to do."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        known = providers()
        if not known:
            raise Http404("Sign-in through a provider is not set up here.")
        states = request.session.get("oidc_states")
        started = states.get(request.GET.get("state", "")) if isinstance(states, dict) else None
        provider = known.get(started.get("provider", "")) if isinstance(started, dict) else None
        request.oidc_provider = provider  # type: ignore[attr-defined]
        self.provider = provider
        try:
            # RFC 9207: a provider that names itself on the return must be the one the sign-in went to.
            issuer = request.GET.get("iss")
            if provider is not None and issuer is not None and issuer != provider.issuer:
                raise SuspiciousOperation("the return names another provider")
            return super().dispatch(request, *args, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as error:
            # A forged or replayed answer, or the provider unreachable: never signed in, and told so.
            logger.warning("Sign-in through the provider refused: %s", type(error).__name__)
            return self.login_failure()

    def login_success(self) -> HttpResponse:
        held = second_factor.hold_sign_in(self.request, self.user, self.success_url)
        if held:
            return held
        # In the language the sign-in started in, which becomes that of the person's emails (User.language).
        with translation.override(self.request.session.get(LANGUAGE, settings.LANGUAGE_CODE)):
            response = super().login_success()
        # Already signed in as this person, the library signs in no one again: what this sign-in opens is set here.
        keep_sign_in_agency(self.request)
        return response

    def login_failure(self) -> HttpResponse:
        request: HttpRequest = self.request
        reason = getattr(request, "oidc_refusal", FAILED)
        provider = self.provider
        agency = Agency.objects.filter(slug=provider.agency).first() if provider and provider.agency else None
        with translation.override(request.session.get(LANGUAGE, settings.LANGUAGE_CODE)):
            return render(
                request,
                "registration/oidc_refused.html",
                {
                    "reason": reason,
                    "provider": provider.name if provider else _("your sign-in provider"),
                    "agency": agency,
                },
                status=403,
            )


def sign_in_choices(language: str) -> list[tuple[str, str]]:
    """(button label's provider name, link) for each provider, for the sign-in page."""
    from django.urls import reverse

    return [
        (
            provider.name,
            f"{reverse('oidc_authentication_init') if key == DEFAULT else reverse('oidc-sign-in', args=[key])}"
            f"?language={language}",
        )
        for key, provider in providers().items()
    ]
