"""Counting clock time: calendar hours, or an office's working hours that skip weekends, federal holidays
(from `touchstone.core.fiscal`) and the office's own closures. No Django models here, so it is easy to test."""

import datetime as dt
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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and federal_holiday(day) is None and day not in self.closures

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        zone = self.zone
        return (
            dt.datetime.combine(day, self.opens_at, tzinfo=zone),
            dt.datetime.combine(day, self.closes_at, tzinfo=zone),
        )

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The moment `seconds` of clock time after `start`."""
        if not self.business_hours:
            return start + dt.timedelta(seconds=seconds)
        remaining = dt.timedelta(seconds=seconds)
        cursor = start.astimezone(self.zone)
        day = cursor.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                opens, closes = self._window(day)
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
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin, finish = max(opens, first), min(closes, last)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return int(total.total_seconds())
