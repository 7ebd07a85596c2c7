"""Counting a visitor's attempts per minute, by a salted hash of their address held only in the cache: no address
is stored anywhere. The cache is shared by every worker (Redis or a database table, see settings.CACHES), so the
limit holds however many workers serve the site."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


def client_address(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one saw.

    Only the entries our own proxies appended to X-Forwarded-For are trusted; a visitor can write the rest.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def over_limit(request: HttpRequest, scope: str, per_minute: int, who: str | None = None) -> bool:
    """Count this attempt; True once the address (or `who`, a device) has made more than `per_minute` in this
    minute for `scope`."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{who or client_address(request)}".encode()).hexdigest()[
        :24
    ]
    return count_this_minute(f"rate:{scope}:{digest}") > per_minute


def count_this_minute(name: str) -> int:
    """Add one to the counter `name` for the current clock minute and return it (the cache forgets it after)."""
    key = f"{name}:{timezone.now():%Y%m%d%H%M}"
    if hasattr(cache, "count_in_window"):  # Redis (touchstone.core.cache): one round trip
        return int(cache.count_in_window(key, 70))
    try:
        return int(cache.incr(key))  # the usual case, once the minute's first attempt made the counter
    except ValueError:
        if cache.add(key, 1, timeout=70):
            return 1
    try:
        return int(cache.incr(key))  # another worker made it first
    except ValueError:  # and it expired meanwhile
        cache.set(key, 1, timeout=70)
        return 1
