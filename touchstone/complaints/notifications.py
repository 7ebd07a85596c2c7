"""Email to customers and supervisors. Never the narrative: a tracking number, a state and where to look."""

import logging
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from touchstone.complaints.models import Case, CaseMessage, ClockWarning, EmailIntake
from touchstone.core import staff_mail

logger = logging.getLogger(__name__)


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_acknowledgement(case: Case) -> None:
    with translation.override(case.language or "en"):
        subject = _("We received your complaint %(number)s") % {"number": case.tracking_number}
        body = _(
            "Thank you for telling the %(agency)s about a problem. Your tracking number is %(number)s.\n\n"
            "Keep this number. To see where your complaint stands, go to %(url)s and enter the number with "
            "this email address."
        ) % {
            "agency": case.agency.name,
            "number": case.tracking_number,
            "url": _site(reverse("portal_complaints:status")),
        }
    send_mail(subject, body, None, [case.contact_email])
    logger.info("acknowledgement sent for case %s", case.pk)


def notify_customer(case: Case, kind: str, token: str = "") -> None:
    with translation.override(case.language or "en"):
        status_url = _site(reverse("portal_complaints:status"))
        if kind == "closed":
            subject = _("Your complaint %(number)s is closed") % {"number": case.tracking_number}
            body = _(
                "The %(agency)s has closed your complaint %(number)s and sent you its response. Read it at "
                "%(url)s.\n\nPlease tell us in two questions whether it was resolved and how we handled it: "
                "%(follow_up)s"
            ) % {
                "agency": case.agency.name,
                "number": case.tracking_number,
                "url": status_url,
                "follow_up": _site(reverse("portal_complaints:follow-up", args=[token])),
            }
        else:
            subject = _("News about your complaint %(number)s") % {"number": case.tracking_number}
            body = _("There is a new message about your complaint %(number)s. Read it at %(url)s.") % {
                "number": case.tracking_number,
                "url": status_url,
            }
    send_mail(subject, body, None, [case.contact_email])
    logger.info("customer notified (%s) for case %s", kind, case.pk)


def warn_supervisors(warning: ClockWarning) -> None:
    from touchstone.complaints.services import supervisors_of

    case = warning.case
    recipients = supervisors_of(case.agency)
    if not recipients:
        return
    due = warning.due.strftime("%Y-%m-%d %H:%M %Z")

    def write() -> tuple[str, str]:
        url = _site(reverse("manage:complaints:case", args=[case.agency.slug, case.pk]))  # /es/ for Spanish
        clock = {
            "acknowledge": _("acknowledgement"),
            "first_response": _("first response"),
            "resolve": _("resolution"),
            "update": _("update to the customer"),
        }.get(warning.clock, warning.clock)
        if warning.kind == ClockWarning.Kind.BREACHED:
            subject = _("Breach: %(number)s missed its %(clock)s deadline")
        else:
            subject = _("Warning: %(number)s is near its %(clock)s deadline")
        body = _("Case %(number)s: the %(clock)s is due %(due)s.\n\nOpen the case: %(url)s")
        values = {"number": case.tracking_number, "clock": clock, "due": due, "url": url}
        return subject % values, body % values

    staff_mail.send_to_staff(recipients, case.agency_id, write)
    logger.info("supervisors warned (%s %s) for case %s", warning.clock, warning.kind, case.pk)


def email_message(message: CaseMessage) -> None:
    """The handler's message itself, by email, to a customer who wrote in by email: the tracking number in the
    subject, and Message-ID / In-Reply-To / References so the customer's mail program keeps one thread and their
    answer comes back onto the case (see inbound.py)."""
    case = message.case
    earlier = list(
        case.messages.exclude(email_message_id="")
        .exclude(pk=message.pk)
        .values_list("email_message_id", flat=True)
    )
    domain = urlsplit(settings.SITE_URL).hostname or "touchstone.example.gov"
    message_id = message.email_message_id or make_msgid(idstring=case.tracking_number, domain=domain)
    with translation.override(case.language or "en"):
        subject = _("Re: your complaint %(number)s") % {"number": case.tracking_number}
        footer = _(
            "Reply to this email to answer; keep %(number)s in the subject. You can also read the whole "
            "conversation at %(url)s."
        ) % {"number": case.tracking_number, "url": _site(reverse("portal_complaints:status"))}
    headers = {"Message-ID": message_id}
    reply_to = EmailIntake.objects.filter(agency_id=case.agency_id).values_list("reply_address", flat=True)
    reply_address = next(iter(reply_to), "")
    if earlier:
        headers["In-Reply-To"] = earlier[-1]
        headers["References"] = " ".join(earlier[-20:])
    EmailMessage(
        subject,
        f"{message.body}\n\n-- \n{footer}",
        None,
        [case.contact_email],
        headers=headers,
        reply_to=[reply_address] if reply_address else None,
    ).send()
    CaseMessage.objects.filter(pk=message.pk).update(email_message_id=message_id)
    logger.info("message %s emailed for case %s", message.pk, case.pk)
