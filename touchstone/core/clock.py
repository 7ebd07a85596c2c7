"""Today's date in the site's time zone, worked out once a day instead of on every call.

`timezone.localdate()` converts the current time into the time zone on each call. A survey's clearance is checked
against today's date on every submission, so the date is kept until the next local midnight, when it is worked
out again. The time zone is part of the key: a different active zone gets its own date.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

_kept: tuple[Any, float, float, dt.date] | None = (
    None  # (zone, from, until, date); replaced whole, never mutated
)


def local_today() -> dt.date:
    """timezone.localdate(), read again only when the clock has passed the local midnight (or gone back)."""
    global _kept
    zone = timezone.get_current_timezone()
    instant = timezone.now()  # not time.time(): a test that sets Django's clock moves this date too
    now = instant.timestamp()
    kept = _kept
    if kept is not None and kept[0] is zone and kept[1] <= now < kept[2]:
        return kept[3]
    today = timezone.localtime(instant, zone).date()
    start = dt.datetime.combine(today, dt.time(), tzinfo=zone).timestamp()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone).timestamp()
    _kept = (zone, start, end, today)
    return today
