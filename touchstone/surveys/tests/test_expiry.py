"""Staff are warned by email 30 and 7 days before a survey's OMB clearance expires, each warning once."""

import datetime as dt
import io
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from touchstone.conftest import Personas, make_user
from touchstone.core.models import Role
from touchstone.surveys import services
from touchstone.surveys.expiry import warn_expiring_surveys, warn_expiring_surveys_task
from touchstone.surveys.models import Survey
from touchstone.surveys.tests.factories import published_survey

TODAY = dt.date(2026, 3, 1)


def expiring_on(personas: Personas, day: dt.date, **data: Any) -> Survey:
    """A published survey whose clearance ends on `day` (set after publishing, so past days work too)."""
    survey = published_survey(personas.agency_a, **data)
    Survey.objects.filter(pk=survey.pk).update(omb_expiration_date=day)
    survey.refresh_from_db()
    return survey


def expiring_in(personas: Personas, days: int) -> Survey:
    survey = expiring_on(personas, TODAY + dt.timedelta(days=days))
    survey.created_by = make_user("author", personas.agency_a, Role.FRONTLINE)
    survey.save(update_fields=["created_by"])
    return survey


def warn(today: dt.date) -> str:
    output = io.StringIO()
    call_command("warn_expiring_surveys", "--today", today.isoformat(), stdout=output)
    return output.getvalue()


def test_the_creator_admins_and_analysts_are_warned_thirty_days_before_once(personas: Personas) -> None:
    expiring_in(personas, 30)
    assert "30-day warning sent to 3 people" in warn(TODAY)
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "admin-a@example.gov",
        "analyst-a@example.gov",
        "author@example.gov",
    ]
    assert "expires in 30 days" in mail.outbox[0].subject
    assert "1090-0011" in mail.outbox[0].body and "2026-03-31" in mail.outbox[0].body
    warn(TODAY)
    warn(TODAY + dt.timedelta(days=5))
    assert len(mail.outbox) == 3


def test_a_second_warning_goes_seven_days_before_once(personas: Personas) -> None:
    expiring_in(personas, 30)
    warn(TODAY)
    mail.outbox.clear()
    warn(TODAY + dt.timedelta(days=22))  # eight days left: the 30-day warning went, the 7-day one is not due
    assert mail.outbox == []
    warn(TODAY + dt.timedelta(days=23))
    assert len(mail.outbox) == 3 and "expires in 7 days" in mail.outbox[0].subject
    warn(TODAY + dt.timedelta(days=25))
    assert len(mail.outbox) == 3


def test_nothing_is_sent_far_from_expiry_after_it_or_for_a_survey_not_published(personas: Personas) -> None:
    expiring_in(personas, 31)
    closed = expiring_on(personas, TODAY + dt.timedelta(days=10), title="Closed")
    services.change_status(actor=None, survey=closed, status=Survey.Status.CLOSED)
    expiring_on(personas, TODAY - dt.timedelta(days=1), title="Expired")
    assert warn_expiring_surveys(TODAY) == []
    assert mail.outbox == []


def test_a_renewed_clearance_is_warned_about_again(personas: Personas) -> None:
    survey = expiring_in(personas, 7)
    warn_expiring_surveys(TODAY)
    survey.omb_expiration_date = TODAY + dt.timedelta(days=30)
    survey.save(update_fields=["omb_expiration_date"])
    sent = warn_expiring_surveys(TODAY)
    assert [warning.threshold for warning in sent] == [30]
    assert len(mail.outbox) == 6


def test_the_task_sends_the_warnings_that_are_due(personas: Personas) -> None:
    published_survey(personas.agency_a, omb_expiration_date=timezone.localdate() + dt.timedelta(days=6))
    result = warn_expiring_surveys_task.enqueue()
    assert result.return_value == 1
    assert {address for message in mail.outbox for address in message.to} == {
        "admin-a@example.gov",
        "analyst-a@example.gov",
    }
