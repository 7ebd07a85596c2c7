"""The second factor at sign-in: a code from an authenticator app (TOTP, RFC 6238) or a one-use recovery code.

A password (or the provider) that proves who someone is does not sign them in when they have an authenticator app:
the account waits in the session, for at most PENDING_MINUTES, until the code is given on the next page."""

import hashlib
import hmac
import time
from typing import Any

import pyotp
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from touchstone.core.models import SecondFactor, User

PENDING = "second_factor_pending"
PENDING_MINUTES = 5
RECOVERY_CODES = 10
ISSUER = "Touchstone"


def enrolled(user: User) -> SecondFactor | None:
    return SecondFactor.objects.filter(user=user).first()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """What the authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or user.get_username(), issuer_name=ISSUER)


def matching_step(secret: str, code: str, after: int = 0) -> int | None:
    """The time step (30 s) whose code this is, allowing one step of clock drift either way; None if none matches,
    or if it is not later than `after` (a code already used)."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def recovery_hash(code: str) -> str:
    return hashlib.sha256("".join(code.split()).lower().encode()).hexdigest()


def hold_sign_in(request: HttpRequest, user: Any, next_url: str) -> HttpResponse | None:
    """For someone with an authenticator app: keep the sign-in waiting for the code and send them to give it.
    None for everyone else (their sign-in goes on as usual)."""
    if not SecondFactor.objects.filter(user_id=user.pk).exists():
        return None
    request.session.cycle_key()  # whoever saw the session before the password does not share the held one
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "next": next_url,
        "until": time.time() + PENDING_MINUTES * 60,
        "agency": getattr(request, "sign_in_agency", None),  # an agency's own provider: that agency alone
    }
    return redirect("second-factor")


def held_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not pending or pending["until"] < time.time():
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


def release_sign_in(request: HttpRequest, user: User, pending: dict[str, Any]) -> HttpResponse:
    del request.session[PENDING]
    request.sign_in_agency = pending.get("agency")  # type: ignore[attr-defined]
    login(request, user, backend=pending["backend"])
    return redirect(pending["next"])
