"""Sign-in through an OpenID Connect provider: Login.gov, or an agency's own (Entra ID, Okta, ...), one at a time.

The provider proves who the person is; Touchstone alone decides what they may see. A verified email from the
provider is matched to an active account that already has a membership an agency admin granted (or is an
overseer). Nobody is created and no membership is ever added here: a person the provider knows but no admin has
added is told to ask their agency's admin. Settings: OIDC_* in settings.py; docs/configuration.md, "Sign-in".
"""

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from touchstone.core import second_factor
from touchstone.core.models import User

logger = logging.getLogger(__name__)

# Why a sign-in through the provider was refused, kept on the request for the page that says so.
NO_ACCOUNT = "no-account"
UNVERIFIED = "unverified"
FAILED = "failed"
LANGUAGE = "oidc_language"


class AgencySignInBackend(OIDCAuthenticationBackend):
    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The library checks the signature and expiry; the token must also be from our provider and for us."""
        claims = super()._verify_jws(payload, key)
        try:
            jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {type(error).__name__}") from error
        return claims

    def get_token(self, payload: dict[str, Any]) -> Any:
        if not payload.get("client_secret"):
            payload.pop("client_secret", None)  # PKCE (Login.gov): the verifier stands in for a secret
        return super().get_token(payload)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if claims.get("email") and claims.get("email_verified") is True:
            return True
        self.request.oidc_refusal = UNVERIFIED  # type: ignore[attr-defined]
        return False

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(email__iexact=str(claims["email"]).strip(), is_active=True)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        """The one active account with this verified email that an admin gave access to; never a new one."""
        user = super().get_or_create_user(access_token, id_token, payload)  # OIDC_CREATE_USER is off
        if user is None or not (user.is_overseer or user.memberships.exists()):
            self.request.oidc_refusal = NO_ACCOUNT  # type: ignore[attr-defined]
            return None
        return user


class SignInView(OIDCAuthenticationRequestView):
    """Off to the provider, with a state, a nonce and (PKCE) a code challenge kept in the session."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Sign-in through a provider is not set up here.")
        # The provider returns to one fixed address, outside the language prefix: remember the page's language.
        wanted = request.GET.get("language", "")
        request.session[LANGUAGE] = wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        return super().dispatch(request, *args, **kwargs)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's return: signed in as the matched account, or a page saying why not and what to do."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Sign-in through a provider is not set up here.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as error:
            # A forged or replayed answer, or the provider unreachable: never signed in, and told so.
            logger.warning("Sign-in through the provider refused: %s", type(error).__name__)
            return self.login_failure()

    def login_success(self) -> HttpResponse:
        held = second_factor.hold_sign_in(self.request, self.user, self.success_url)
        return held or super().login_success()

    def login_failure(self) -> HttpResponse:
        request: HttpRequest = self.request
        reason = getattr(request, "oidc_refusal", FAILED)
        with translation.override(request.session.get(LANGUAGE, settings.LANGUAGE_CODE)):
            return render(
                request,
                "registration/oidc_refused.html",
                {"reason": reason, "provider": settings.OIDC_PROVIDER_NAME},
                status=403,
            )
