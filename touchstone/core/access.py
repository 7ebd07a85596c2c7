"""The gate every workspace view passes: the person must belong to the agency in the URL (else 404)
and hold the role the view needs (else 403)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from touchstone.core.models import Agency, Membership, User
from touchstone.core.selectors import membership_for


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
            membership = membership_for(request.user, agency_slug)  # type: ignore[arg-type]
            if permission is not None and not membership.can(permission):
                raise PermissionDenied(f"Your role cannot {permission.replace('_', ' ')}.")
            request.membership = membership  # type: ignore[attr-defined]
            request.agency = membership.agency  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
