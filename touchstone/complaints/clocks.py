"""Counting clock time: calendar hours, or an office's working hours that skip weekends, federal holidays
(from `touchstone.core.fiscal`) and the office's own closures. No Django models here, so it is easy to test."""

import datetime as dt
import functools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from touchstone.core.fiscal import federal_holiday

MAX_DAYS = 3 * 366  # a policy longer than this is a mistake, not a promise


@dataclass(frozen=True)
class WorkingCalendar:
    time_zone: str = "America/New_York"
    business_hours: bool = True
    opens_at: dt.time = dt.time(9, 0)
    closes_at: dt.time = dt.time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    closures: frozenset[dt.date] = field(default_factory=frozenset)
    # Each day's opening window, worked out once: a year of cases counts the same days thousands of times.
    _days: dict[dt.date, tuple[dt.datetime, dt.datetime] | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def shared(
        cls,
        time_zone: str = "America/New_York",
        business_hours: bool = True,
        opens_at: dt.time = dt.time(9, 0),
        closes_at: dt.time = dt.time(17, 0),
        weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4}),
        closures: frozenset[dt.date] = frozenset(),
    ) -> "WorkingCalendar":
        """One calendar per distinct setting, so cases of the same office share its worked-out days."""
        return _shared_calendar(time_zone, business_hours, opens_at, closes_at, weekdays, closures)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and federal_holiday(day) is None and day not in self.closures

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's opening hours, or None on a day the office is closed."""
        try:
            return self._days[day]
        except KeyError:
            window = None
            if self.is_working_day(day):
                zone = self.zone
                window = (
                    dt.datetime.combine(day, self.opens_at, tzinfo=zone),
                    dt.datetime.combine(day, self.closes_at, tzinfo=zone),
                )
            self._days[day] = window
            return window

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The moment `seconds` of clock time after `start`."""
        if not self.business_hours:
            return start + dt.timedelta(seconds=seconds)
        remaining = dt.timedelta(seconds=seconds)
        cursor = start.astimezone(self.zone)
        day = cursor.date()
        for _ in range(MAX_DAYS):
            window = self._window(day)
            if window is not None:
                opens, closes = window
                begin = max(opens, cursor)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("A clock cannot run for more than three years.")

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Clock seconds from start to end (0 when end is not after start)."""
        if end <= start:
            return 0
        if not self.business_hours:
            return int((end - start).total_seconds())
        zone = self.zone
        first, last = start.astimezone(zone), end.astimezone(zone)
        total = dt.timedelta()
        day = first.date()
        while day <= last.date():
            window = self._window(day)
            if window is not None:
                opens, closes = window
                begin, finish = max(opens, first), min(closes, last)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return int(total.total_seconds())


@functools.lru_cache(maxsize=512)
def _shared_calendar(
    time_zone: str,
    business_hours: bool,
    opens_at: dt.time,
    closes_at: dt.time,
    weekdays: frozenset[int],
    closures: frozenset[dt.date],
) -> WorkingCalendar:
    return WorkingCalendar(time_zone, business_hours, opens_at, closes_at, weekdays, closures)
