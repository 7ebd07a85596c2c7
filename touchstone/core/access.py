"""The gate every workspace view passes: the person must belong to the agency in the URL (else 404)
and hold the role the view needs (else 403).

A sign-in through an agency's own identity provider opens that agency alone (touchstone.core.oidc): the session
keeps the agency, and the person's memberships elsewhere, and overseer pages, stay shut until they sign in again
another way."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from touchstone.core import services
from touchstone.core.models import Agency, Membership, User
from touchstone.core.selectors import membership_for

SIGN_IN_AGENCY = (
    "sign_in_agency"  # in the session: the one agency this sign-in opens; absent: every membership
)


class AgencyRequest(HttpRequest):
    """A request that passed the gate: a signed-in member, their membership, and the agency in the URL."""

    user: User  # type: ignore[assignment]
    membership: Membership
    agency: Agency


class SignedInRequest(HttpRequest):
    user: User  # type: ignore[assignment]


View = Callable[..., HttpResponse]


def member_view(permission: str | None = None) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, agency_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = membership_for(request.user, agency_slug, only=sign_in_agency(request))  # type: ignore[arg-type]
            if permission is not None and not membership.can(permission):
                raise PermissionDenied(f"Your role cannot {permission.replace('_', ' ')}.")
            request.membership = membership  # type: ignore[attr-defined]
            request.agency = membership.agency  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def sign_in_agency(request: HttpRequest) -> int | None:
    """The one agency this session's sign-in opens, or None when it opens every membership the person has."""
    return request.session.get(SIGN_IN_AGENCY) if hasattr(request, "session") else None


def is_overseer(request: HttpRequest) -> bool:
    """Installation-wide pages: an overseer, signed in other than through one agency's own provider."""
    return bool(getattr(request.user, "is_overseer", False)) and sign_in_agency(request) is None


def keep_sign_in_agency(request: HttpRequest) -> None:
    """Each sign-in says afresh what it opens: an agency's provider sets request.sign_in_agency, others none."""
    agency = getattr(request, "sign_in_agency", None)
    if agency is None:
        request.session.pop(SIGN_IN_AGENCY, None)
    else:
        request.session[SIGN_IN_AGENCY] = agency


@receiver(user_logged_in, dispatch_uid="touchstone-sign-in-agency")
def _on_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        keep_sign_in_agency(request)
    services.remember_language(user, translation.get_language())
