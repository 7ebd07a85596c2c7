"""Today's date, kept until the local midnight: the same as Django's localdate at every moment."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.utils import timezone

from touchstone.core.clock import local_today

EASTERN = ZoneInfo("America/New_York")


def at(*moment: int, zone: ZoneInfo = EASTERN) -> dt.datetime:
    return dt.datetime(*moment, tzinfo=zone).astimezone(dt.UTC)


@override_settings(TIME_ZONE="America/New_York")
def test_the_date_turns_at_the_local_midnight_not_at_utcs() -> None:
    moments = [
        at(2026, 11, 30, 18, 59, 59),  # 23:59:59 UTC: still the 30th in New York
        at(2026, 11, 30, 23, 59, 59),
        at(2026, 12, 1, 0, 0, 0),
        at(2026, 12, 1, 0, 0, 1),
    ]
    seen = []
    for moment in moments:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            seen.append((local_today(), timezone.localdate()))
    assert [ours for ours, _ in seen] == [djangos for _, djangos in seen]
    assert [ours.day for ours, _ in seen] == [30, 30, 1, 1]


@override_settings(TIME_ZONE="America/New_York")
def test_a_clock_set_back_reads_the_date_again() -> None:
    for moment, day in [(at(2026, 12, 2, 9, 0), 2), (at(2026, 11, 28, 9, 0), 28)]:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            assert local_today().day == day


def test_each_time_zone_has_its_own_date() -> None:
    moment = at(2026, 11, 30, 21, 0)  # 02:00 on 1 December in UTC, 16:00 on 30 November in Honolulu
    with mock.patch("django.utils.timezone.now", return_value=moment):
        with override_settings(TIME_ZONE="UTC"):
            assert local_today() == dt.date(2026, 12, 1)
        with override_settings(TIME_ZONE="Pacific/Honolulu"):
            assert local_today() == dt.date(2026, 11, 30)
