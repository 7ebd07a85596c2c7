"""Counting a public visitor's attempts per minute, by a salted hash of their address held only in the cache:
no address is stored anywhere."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


def over_limit(request: HttpRequest, scope: str, per_minute: int) -> bool:
    """Count this attempt; True once the address has made more than `per_minute` in this minute for `scope`."""
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:24]
    key = f"rate:{scope}:{digest}:{timezone.now():%Y%m%d%H%M}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    return int(count) > per_minute
