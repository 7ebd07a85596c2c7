"""Clocks count business hours, skip federal holidays, pause while waiting, and warn supervisors in time."""

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from touchstone.complaints import selectors, services
from touchstone.complaints.clocks import WorkingCalendar
from touchstone.complaints.models import Case, ClockWarning, OfficeCalendar
from touchstone.complaints.tests.factories import file_case, standard_policy
from touchstone.conftest import Personas

EASTERN = ZoneInfo("America/New_York")


def test_business_hours_skip_a_federal_holiday_and_the_weekend() -> None:
    calendar = WorkingCalendar(time_zone="America/New_York")
    thursday_before_july_4 = dt.datetime(2025, 7, 3, 16, 0, tzinfo=EASTERN)
    due = calendar.add(thursday_before_july_4, 8 * 3600)
    # 1 hour on Thursday, Friday July 4 is Independence Day, then the weekend: 7 hours on Monday.
    assert due == dt.datetime(2025, 7, 7, 16, 0, tzinfo=EASTERN)
    assert calendar.seconds_between(thursday_before_july_4, due) == 8 * 3600


def test_an_office_closure_is_skipped_like_a_holiday() -> None:
    calendar = WorkingCalendar(time_zone="America/Denver", closures=frozenset({dt.date(2025, 3, 4)}))
    monday = dt.datetime(2025, 3, 3, 17, 0, tzinfo=ZoneInfo("America/Denver"))
    assert calendar.add(monday, 3600) == dt.datetime(2025, 3, 5, 10, 0, tzinfo=ZoneInfo("America/Denver"))


def test_a_case_uses_its_offices_calendar_and_skips_a_holiday(personas: Personas) -> None:
    standard_policy(personas, counting="business", first_response_hours=8)
    personas.office_a.time_zone = "America/New_York"
    personas.office_a.save()
    OfficeCalendar.objects.create(office=personas.office_a, opens_at=dt.time(9), closes_at=dt.time(17))
    case = services.file_complaint(
        agency=personas.agency_a,
        data={"narrative": "Late.", "contact_email": "a@example.com"},
        received_at=dt.datetime(2025, 7, 3, 16, 0, tzinfo=EASTERN),
    )
    case.office = personas.office_a
    case.save()
    case = Case.objects.get(pk=case.pk)
    assert case.first_response_due == dt.datetime(2025, 7, 7, 16, 0, tzinfo=EASTERN)


def test_a_case_moved_to_another_office_counts_on_that_offices_calendar_at_once(personas: Personas) -> None:
    standard_policy(personas, counting="business", first_response_hours=8)
    personas.office_a.time_zone = "America/New_York"
    personas.office_a.save()
    OfficeCalendar.objects.create(office=personas.office_a, opens_at=dt.time(9), closes_at=dt.time(13))
    case = services.file_complaint(
        agency=personas.agency_a,
        data={"narrative": "Late.", "contact_email": "a@example.com"},
        received_at=dt.datetime(2025, 3, 3, 9, 0, tzinfo=EASTERN),  # a Monday
    )
    assert case.first_response_due == dt.datetime(2025, 3, 3, 17, 0, tzinfo=EASTERN)  # Eastern office hours
    case.office = personas.office_a  # the same object, as a service moving the case holds it
    assert case.first_response_due == dt.datetime(2025, 3, 4, 13, 0, tzinfo=EASTERN)  # 4 hours a day


def test_the_clock_pauses_while_waiting_on_the_customer(personas: Personas) -> None:
    standard_policy(personas, counting="calendar", first_response_hours=40, resolve_hours=240)
    case = file_case(personas)
    resolve_due = case.resolve_due
    assert resolve_due is not None
    services.wait_on_customer(actor=personas.handler_a, case=case, question="Which bank?")
    case.refresh_from_db()
    assert case.next_breach_at is None, "a waiting case has no running clock"
    Case.objects.filter(pk=case.pk).update(waiting_since=timezone.now() - dt.timedelta(hours=10))
    case = Case.objects.get(pk=case.pk)
    services.resume_case(actor=personas.handler_a, case=case)
    case.refresh_from_db()
    assert abs(case.paused_seconds - 10 * 3600) < 5
    assert case.resolve_due is not None
    assert abs((case.resolve_due - resolve_due).total_seconds() - 10 * 3600) < 5
    assert case.state == Case.State.IN_PROGRESS


def test_a_handlers_worklist_is_ordered_by_time_to_breach(personas: Personas) -> None:
    standard_policy(personas, counting="calendar")
    now = timezone.now()
    later = file_case(personas, "Fresh complaint.")
    sooner = services.file_complaint(
        agency=personas.agency_a,
        data={"narrative": "Old one.", "contact_email": "b@example.com"},
        received_at=now - dt.timedelta(hours=30),
    )
    breached = services.file_complaint(
        agency=personas.agency_a,
        data={"narrative": "Older.", "contact_email": "c@example.com"},
        received_at=now - dt.timedelta(hours=50),
    )
    waiting = file_case(personas, "Waiting one.")
    services.wait_on_customer(actor=personas.handler_a, case=waiting, question="?")
    ordered = list(selectors.worklist(personas.agency_a))
    assert ordered == [breached, sooner, later, waiting]
    page = personas.client(personas.handler_a).get(f"/manage/{personas.agency_a.slug}/complaints/")
    body = page.content.decode()
    positions = [body.index(case.tracking_number) for case in ordered]
    assert positions == sorted(positions)
    assert "Breached" in body


def test_the_worklist_does_not_grow_in_queries_with_its_rows(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    standard_policy(personas)
    for _ in range(12):
        file_case(personas)
    client = personas.client(personas.viewer_a)
    with django_assert_max_num_queries(12):
        assert client.get(f"/manage/{personas.agency_a.slug}/complaints/").status_code == 200


def test_a_supervisor_is_warned_before_a_breach_and_at_it_once_each(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    standard_policy(
        personas, counting="calendar", acknowledge_hours=1, first_response_hours=10, resolve_hours=240
    )
    case = services.file_complaint(
        agency=personas.agency_a,
        data={"narrative": "Please call me back.", "contact_email": "d@example.com"},
        received_at=timezone.now() - dt.timedelta(hours=2),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_complaint_clocks", stdout=io.StringIO())
    warning = mail.outbox[-1]
    assert warning.to == ["admin-a@example.gov"]
    assert case.tracking_number in warning.subject and "Warning" in warning.subject
    assert "Please call me back." not in warning.body
    with django_capture_on_commit_callbacks(execute=True):
        services.check_clocks()
    assert len(mail.outbox) == 1, "each warning goes once"
    with django_capture_on_commit_callbacks(execute=True):
        services.check_clocks(now=timezone.now() + dt.timedelta(hours=9))
    assert "Breach" in mail.outbox[-1].subject
    assert ClockWarning.objects.filter(case=case).count() == 2
