"""Sign-in with lock-out after repeated failures."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from touchstone.core.models import SignInThrottle


class LockoutModelBackend(ModelBackend):
    """Django's password check, refusing while an account is locked and counting failures toward a lock."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not username:
            return None
        key = username.strip().lower()
        throttle = SignInThrottle.objects.filter(username=key).first()
        if throttle is not None and throttle.is_locked():
            # PermissionDenied stops Django trying other backends, and the form says the account is locked.
            raise PermissionDenied("locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            register_failure(key)
        elif throttle is not None:
            throttle.delete()
        return user


def register_failure(username: str) -> None:
    now = timezone.now()
    throttle, _ = SignInThrottle.objects.get_or_create(username=username)
    SignInThrottle.objects.filter(pk=throttle.pk).update(failures=F("failures") + 1, last_failure_at=now)
    throttle.refresh_from_db()
    if throttle.failures >= settings.SIGN_IN_MAX_FAILURES:
        throttle.locked_until = now + dt.timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES)
        throttle.failures = 0
        throttle.save(update_fields=["locked_until", "failures"])


def is_locked(username: str) -> bool:
    throttle = SignInThrottle.objects.filter(username=username.strip().lower()).first()
    return throttle is not None and throttle.is_locked()
