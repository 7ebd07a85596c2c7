"""Sign-in throttling is django-axes' (settings.AXES_*): failures are counted per address and lock that address
for a while, never the account everywhere. This answers a locked-out address with the sign-in page and a 429."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """The sign-in page (its form says why, see SignInView.form_invalid), answered as Too Many Requests."""
    response = original_response if original_response is not None else HttpResponse(status=429)
    response.status_code = 429
    response["Retry-After"] = str(settings.SIGN_IN_LOCKOUT_MINUTES * 60)
    return response


class AddressThrottleBackend(AxesStandaloneBackend):
    """django-axes' check of the address. A call without a request (a script, or a test's Client.login) comes from no
    address, so there is nothing to count; the password check that follows still runs."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
