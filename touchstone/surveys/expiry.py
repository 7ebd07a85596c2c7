"""Paperwork Reduction Act expiry warnings: staff hear 30 and 7 days before a survey's OMB clearance ends.

Run daily by `manage.py warn_expiring_surveys` or the `warn_expiring_surveys_task`. Each warning goes once per
clearance: it is recorded in the audit log (the action names the expiration date), so a rerun the same day
sends nothing more, and a renewed clearance with a new date is warned about again.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from touchstone.core import audit, staff_mail
from touchstone.core.models import AuditEntry, Membership, Role
from touchstone.surveys import selectors
from touchstone.surveys.models import Survey

logger = logging.getLogger(__name__)

WARNING_DAYS = (30, 7)  # largest first
NOTICE_DAYS = WARNING_DAYS[0]


def expiry_notice_days(survey: Survey, today: dt.date | None = None) -> int | None:
    """Days until the clearance ends when a workspace page should say so (30 days or less), else None."""
    days = survey.days_to_expiry(today)
    if days is None or survey.is_anonymous or days > NOTICE_DAYS:
        return None
    return days


def warning_due(days_left: int) -> int | None:
    """Which warning (30 or 7) a survey this many days from expiry is due, or None."""
    if days_left < 0:
        return None
    due = [threshold for threshold in WARNING_DAYS if days_left <= threshold]
    return min(due) if due else None


def _action(threshold: int, expires: dt.date) -> str:
    return f"warned: PRA expires {expires.isoformat()}, {threshold} days"


def recipients(survey: Survey) -> list[str]:
    """The survey's creator and the agency's admins and analysts, each address once."""
    addresses = [survey.created_by.email] if survey.created_by and survey.created_by.email else []
    staff = Membership.objects.filter(
        agency_id=survey.agency_id, role__in=[Role.ADMIN, Role.ANALYST], user__is_active=True
    ).values_list("user__email", flat=True)
    addresses.extend(address for address in staff if address)
    return sorted(set(addresses), key=addresses.index)


@dataclass(frozen=True)
class WarningSent:
    survey_id: int
    threshold: int
    recipients: int


def warn_expiring_surveys(today: dt.date | None = None) -> list[WarningSent]:
    """Send every warning that is due and not yet sent; return what was sent."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=WARNING_DAYS[0])
    surveys = (
        selectors.surveys_expiring()
        .filter(omb_expiration_date__gte=today, omb_expiration_date__lte=horizon)
        .exclude(audience=Survey.Audience.EMPLOYEES)
        .select_related("agency", "created_by")
    )
    sent = []
    for survey in surveys:
        assert survey.omb_expiration_date is not None
        threshold = warning_due((survey.omb_expiration_date - today).days)
        if threshold is None:
            continue
        outcome = _warn(survey, threshold, today)
        if outcome is not None:
            sent.append(outcome)
    return sent


@transaction.atomic
def _warn(survey: Survey, threshold: int, today: dt.date) -> WarningSent | None:
    assert survey.omb_expiration_date is not None
    action = _action(threshold, survey.omb_expiration_date)
    already = AuditEntry.objects.select_for_update().filter(
        object_type="survey", object_id=str(survey.pk), action=action
    )
    if already.exists():
        return None
    addresses = recipients(survey)
    audit.record(
        actor=None,
        actor_label="PRA expiry warning",
        action=action,
        target=survey,
        agency=survey.agency,
        changes={"recipients": [None, len(addresses)]},
    )
    days_left = (survey.omb_expiration_date - today).days

    def write() -> tuple[str, str]:
        url = settings.SITE_URL.rstrip("/") + reverse(
            "manage:surveys:edit", args=[survey.agency.slug, survey.pk]
        )
        subject = ngettext(
            "The OMB clearance of “%(title)s” expires in %(days)s day",
            "The OMB clearance of “%(title)s” expires in %(days)s days",
            days_left,
        ) % {"title": survey.title, "days": days_left}
        body = _(
            "The OMB control number %(number)s of the survey “%(title)s” expires on %(date)s. After that day "
            "the survey stops collecting responses (Paperwork Reduction Act).\n\nRenew the clearance and "
            "enter the new expiration date in the survey's settings: %(url)s"
        ) % {
            "number": survey.omb_control_number or "—",
            "title": survey.title,
            "date": survey.omb_expiration_date.isoformat() if survey.omb_expiration_date else "—",
            "url": url,
        }
        return subject, body

    # One message each, in each reader's language. Sent inside the transaction: if the mail server refuses,
    # the record rolls back and the next run tries again.
    staff_mail.send_to_staff(addresses, survey.agency_id, write)
    logger.info(
        "PRA expiry warning (%s days) for survey %s to %s people", threshold, survey.pk, len(addresses)
    )
    return WarningSent(survey.pk, threshold, len(addresses))


@task()
def warn_expiring_surveys_task() -> int:
    return len(warn_expiring_surveys())
