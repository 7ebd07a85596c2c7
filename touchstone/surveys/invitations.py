"""Email invitations to a survey: contacts, one-time links, reminders, unsubscribes, dispositions and response rates.

The token in an invitation's link is derived from the server's secret and the invitation (as Django's password
reset tokens are), so the database keeps only its SHA-256 hash and a reminder can carry the same link again. The
address is kept only while the survey needs it: `purge_contacts` blanks it, the disposition stays for the rates.
"""

import csv
import datetime as dt
import hashlib
import hmac
import io
import logging
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.core import audit
from touchstone.core.models import User
from touchstone.stats.aapor import Dispositions, OutcomeRates, outcome_rates
from touchstone.surveys.models import Invitation, Response, Survey

logger = logging.getLogger(__name__)

Disposition = Invitation.Disposition
CONTACT_COLUMNS = ("email", "service", "channel")
MOST_CONTACTS = 100_000
DEFAULT_REMINDER_DAYS = 7
DEFAULT_PURGE_DAYS = 30
# Dispositions that may still answer, so a reminder is worth sending.
REMINDABLE = (Disposition.PENDING, Disposition.PARTIAL)
# Each disposition as AAPOR counts it. An invitation sent with nothing back is of unknown eligibility (AAPOR 3.19,
# "nothing ever returned"); one not sent yet is not part of the sample and counts nowhere.
AAPOR_SYMBOL: dict[str, str] = {
    Disposition.COMPLETE: "I",
    Disposition.PARTIAL: "P",
    Disposition.REFUSAL: "R",
    Disposition.NON_CONTACT: "NC",
    Disposition.OTHER: "O",
    Disposition.UNDELIVERABLE: "UH",
    Disposition.UNKNOWN: "UO",
    Disposition.PENDING: "UO",
    Disposition.NOT_ELIGIBLE: "NE",
}


# --- tokens --------------------------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The secret in the invitation's link; only its hash is stored."""
    message = f"touchstone.survey-invitation:{invitation.survey_id}:{invitation.pk}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def invitation_links(invitation: Invitation, token: str, language: str = "en") -> dict[str, str]:
    site = settings.SITE_URL.rstrip("/")
    code = invitation.survey.short_code
    with translation.override(language):
        return {
            "survey": site + reverse("portal_invitations:entry", args=[code, token]),
            "unsubscribe": site + reverse("portal_invitations:unsubscribe", args=[code, token]),
        }


# --- selectors -----------------------------------------------------------------------------------------------


def invitations_of(survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(survey=survey).select_related("service").order_by("pk")


def invitation_of(survey: Survey, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(survey=survey, pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation to this survey.")
    return invitation


def invitation_by_token(survey: Survey, token: str) -> Invitation:
    """The invitation a link's token opens, or 404: a wrong token says nothing about which ones exist."""
    invitation = (
        Invitation.objects.select_related("response")
        .filter(survey=survey, token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def disposition_counts(survey: Survey) -> dict[str, int]:
    """How many invitations have each disposition, every disposition present (zero if none); pending ones
    not sent yet are counted apart as `unsent`."""
    rows = (
        Invitation.objects.filter(survey=survey)
        .values("disposition")
        .annotate(
            total=Count("pk"),
            unsent=Count("pk", filter=Q(sent_at__isnull=True, disposition=Disposition.PENDING)),
        )
    )
    counts = dict.fromkeys([*Disposition.values, "unsent"], 0)
    for row in rows:
        counts[row["disposition"]] = row["total"] - row["unsent"]
        counts["unsent"] += row["unsent"]
    return counts


@dataclass(frozen=True)
class ResponseRates:
    dispositions: Dispositions
    rates: OutcomeRates
    e: float | None
    e_estimated: float | None
    e_given: bool


def aapor_dispositions(counts: dict[str, int], e: float | None = None) -> Dispositions:
    symbols: dict[str, int] = dict.fromkeys(["I", "P", "R", "NC", "O", "UH", "UO", "NE"], 0)
    for disposition, symbol in AAPOR_SYMBOL.items():
        symbols[symbol] += counts.get(disposition, 0)
    return Dispositions(**symbols, e=e)


def estimated_eligible_share(d: Dispositions) -> float | None:
    """e by proportional allocation: the share eligible among the cases whose eligibility is known."""
    eligible = d.I + d.P + d.R + d.NC + d.O
    known = eligible + d.NE
    return eligible / known if known else None


def response_rates(counts: dict[str, int], e: float | None = None) -> ResponseRates:
    """AAPOR RR1-6, COOP1-4, REF1-3 and CON1-3 from the counts; e is the estimated share unless given."""
    estimated = estimated_eligible_share(aapor_dispositions(counts))
    chosen = estimated if e is None else e
    d = aapor_dispositions(counts, chosen)
    return ResponseRates(d, outcome_rates(d), chosen, estimated, e is not None)


# --- contacts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    email: str
    service: Service | None
    channel: str


@dataclass(frozen=True)
class ContactProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class ContactsRefused(Exception):
    """The list was not taken; every problem names its line."""

    def __init__(self, problems: list[ContactProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class ContactsAdded:
    count: int
    ignored_columns: list[str]


def read_contacts(survey: Survey, data: bytes) -> tuple[list[Contact], list[str]]:
    """Check a CSV of contacts (an `email` column; `service` slug and `channel` optional). Returns the contacts and
    the columns not read; raises ContactsRefused naming every bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContactsRefused(
            [ContactProblem(1, _("The file is not UTF-8 text; save it as CSV UTF-8."))]
        ) from error
    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    if "email" not in columns:
        raise ContactsRefused(
            [ContactProblem(1, _("The first line must name the columns, one of them email."))]
        )
    ignored = [name for key, name in columns.items() if key not in CONTACT_COLUMNS and name]
    services = {s.slug: s for s in Service.objects.filter(agency_id=survey.agency_id)}
    already = set(Invitation.objects.filter(survey=survey).exclude(email="").values_list("email", flat=True))
    already = {address.lower() for address in already}
    problems: list[ContactProblem] = []
    contacts: list[Contact] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if len(contacts) + len(problems) >= MOST_CONTACTS:
            problems.append(
                ContactProblem(
                    line, _("A list holds at most %(n)s contacts; split it.") % {"n": MOST_CONTACTS}
                )
            )
            break

        def cell(key: str, row: dict[str | Any, Any] = row) -> str:
            return str(row.get(columns.get(key, ""), "") or "").strip()

        email, service_slug, channel = cell("email"), cell("service"), cell("channel")
        if not any(str(value or "").strip() for value in row.values()):
            continue  # a blank line
        messages: list[str] = []
        if not email:
            messages.append(_("the email address is missing."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                messages.append(_("“%(email)s” is not an email address.") % {"email": email})
            else:
                key = email.lower()
                if key in seen:
                    messages.append(
                        _("%(email)s is already on line %(line)s.") % {"email": email, "line": seen[key]}
                    )
                elif key in already:
                    messages.append(_("%(email)s was already invited to this survey.") % {"email": email})
                seen.setdefault(key, line)
        if service_slug and service_slug not in services:
            messages.append(
                _("there is no service “%(slug)s” in this agency; use a service’s short name.")
                % {"slug": service_slug}
            )
        if channel and channel not in Channel.values:
            messages.append(
                _("“%(channel)s” is not a channel; use one of %(channels)s.")
                % {"channel": channel, "channels": ", ".join(Channel.values)}
            )
        if messages:
            problems.extend(ContactProblem(line, message) for message in messages)
        else:
            contacts.append(Contact(email, services.get(service_slug), channel))
    if not contacts and not problems:
        problems.append(ContactProblem(1, _("The file has no contacts.")))
    if problems:
        raise ContactsRefused(problems)
    return contacts, ignored


def _require_published(survey: Survey) -> None:
    if survey.status != Survey.Status.PUBLISHED:
        raise ValidationError(_("Invitations are for a published survey; publish it first."))


@transaction.atomic
def add_contacts(*, actor: User | None, survey: Survey, data: bytes) -> ContactsAdded:
    """Invite everyone in a CSV of contacts, all or nothing. Each gets a one-time link; nothing is sent yet."""
    _require_published(survey)
    contacts, ignored = read_contacts(survey, data)
    created = Invitation.objects.bulk_create(
        [
            # A placeholder hash until the id, from which the token is derived, is known.
            Invitation(
                survey=survey,
                email=contact.email,
                service=contact.service,
                channel=contact.channel or survey.default_channel,
                token_hash=Invitation.new_token()[1],
            )
            for contact in contacts
        ],
        batch_size=1000,
    )
    for invitation in created:
        invitation.token_hash = Invitation.hash_token(invitation_token(invitation))
    Invitation.objects.bulk_update(created, ["token_hash"], batch_size=1000)
    audit.record(
        actor=actor,
        action="added survey contacts",
        target=survey,
        agency=survey.agency,
        changes={"invitations": [None, len(created)]},
    )
    return ContactsAdded(len(created), ignored)


def _mailable(survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(survey=survey, unsubscribed_at__isnull=True).exclude(email="")


@transaction.atomic
def send_invitations(*, actor: User | None, survey: Survey) -> int:
    """Send every invitation not sent yet, by email in the background. Returns how many."""
    if not survey.collecting():
        raise ValidationError(_("The survey is not collecting answers now, so no invitation can be sent."))
    now = timezone.now()
    # Rows are claimed before the task runs, so a second press of the button cannot send twice.
    ids = list(
        _mailable(survey)
        .filter(sent_at__isnull=True, disposition=Disposition.PENDING)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    Invitation.objects.filter(pk__in=ids).update(sent_at=now)
    _enqueue_mail(ids, "invitation")
    audit.record(
        actor=actor,
        action="sent survey invitations",
        target=survey,
        agency=survey.agency,
        changes={"invitations": [None, len(ids)]},
    )
    return len(ids)


@transaction.atomic
def send_reminders(
    *,
    actor: User | None,
    days: int = DEFAULT_REMINDER_DAYS,
    survey: Survey | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Remind, once, those invited at least `days` ago who have not answered (or stopped part way) and did not
    unsubscribe. Without a survey, every survey collecting now. Returns how many reminders go out."""
    if days < 0:
        raise ValidationError(_("The number of days cannot be negative."))
    now = now or timezone.now()
    invitations = Invitation.objects.filter(
        sent_at__lte=now - dt.timedelta(days=days),
        reminded_at__isnull=True,
        unsubscribed_at__isnull=True,
        disposition__in=REMINDABLE,
        survey__status=Survey.Status.PUBLISHED,
    ).exclude(email="")
    if survey is not None:
        if not survey.collecting():
            raise ValidationError(_("The survey is not collecting answers now, so no reminder can be sent."))
        invitations = invitations.filter(survey=survey)
    rows = list(invitations.select_for_update().values_list("pk", "survey_id"))
    collecting = {
        s.pk for s in Survey.objects.filter(pk__in={survey_id for _, survey_id in rows}) if s.collecting()
    }
    ids = [pk for pk, survey_id in rows if survey_id in collecting]
    Invitation.objects.filter(pk__in=ids).update(reminded_at=now)
    _enqueue_mail(ids, "reminder")
    for survey_id in collecting:
        target = survey if survey is not None else Survey.objects.select_related("agency").get(pk=survey_id)
        audit.record(
            actor=actor,
            action="sent survey reminders",
            target=target,
            agency=target.agency,
            changes={"reminders": [None, sum(1 for _, s in rows if s == survey_id)]},
        )
    return len(ids)


def _enqueue_mail(invitation_ids: list[int], kind: str) -> None:
    if not invitation_ids:
        return
    from touchstone.surveys.invitation_tasks import send_invitation_emails

    transaction.on_commit(lambda: send_invitation_emails.enqueue(invitation_ids, kind))


def email_invitations(invitation_ids: list[int], kind: str) -> int:
    """Write and send the invitation or reminder emails (the task calls this). Checks again that each may be
    mailed, since someone may have unsubscribed after the button was pressed. Returns how many were sent."""
    invitations = list(_mailable_ids(invitation_ids).select_related("survey__agency"))
    messages = [_email(invitation, kind) for invitation in invitations]
    sent = mailers.default.send_messages(messages) if messages else 0
    logger.info("%s survey %s email(s) sent", sent, kind)
    return int(sent or 0)


def _mailable_ids(invitation_ids: list[int]) -> QuerySet[Invitation]:
    return Invitation.objects.filter(pk__in=invitation_ids, unsubscribed_at__isnull=True).exclude(email="")


def _email(invitation: Invitation, kind: str) -> EmailMessage:
    """One message in English then Spanish, each with its own link, so the respondent picks their language."""
    survey = invitation.survey
    token = invitation_token(invitation)
    parts, subjects = [], []
    for language in ("en", "es"):
        links = invitation_links(invitation, token, language)
        with translation.override(language):
            context = {
                "survey_title": survey.localized("title", language),
                "agency": survey.agency.name,
                "minutes": survey.burden_minutes,
                "omb_control_number": survey.omb_control_number,
                "omb_expiration_date": survey.omb_expiration_date,
                "survey_url": links["survey"],
                "unsubscribe_url": links["unsubscribe"],
            }
            parts.append(render_to_string(f"email/survey_{kind}.txt", context).strip())
            subjects.append(
                (_("Reminder: %(title)s") if kind == "reminder" else _("%(agency)s asks: %(title)s"))
                % {"title": context["survey_title"], "agency": survey.agency.name}
            )
    unsubscribe = invitation_links(invitation, token)["unsubscribe"]
    return EmailMessage(
        subject=subjects[0],
        body="\n\n----------\n\n".join(parts) + "\n",
        to=[invitation.email],
        # Mail programs show their own unsubscribe button; one click posts to the link (RFC 8058).
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# --- the public side -----------------------------------------------------------------------------------------


@transaction.atomic
def unsubscribe(invitation: Invitation) -> Invitation:
    """No more email to this address, from this survey. Works once; the first time is the one kept."""
    if invitation.unsubscribed_at is None:
        invitation.unsubscribed_at = timezone.now()
        invitation.save(update_fields=["unsubscribed_at"])
        audit.record(actor=None, action="unsubscribed", target=invitation, agency=invitation.survey.agency)
    return invitation


def record_answer(invitation: Invitation, response: Response) -> None:
    """Mark the invitation by what its link brought in: complete or partial, with the response linked, and the
    response marked as from an email invitation with the invitation's service and channel. An anonymous
    (employee) survey's response is never linked to the address it was sent to."""
    complete = response.status == Response.Status.COMPLETE
    fields: dict[str, Any] = {"source": Response.Source.EMAIL}
    if invitation.service_id:
        fields["service_id"] = invitation.service_id
    if invitation.channel:
        fields["channel"] = invitation.channel
    Response.objects.filter(pk=response.pk).update(**fields)
    invitation.disposition = Disposition.COMPLETE if complete else Disposition.PARTIAL
    invitation.response = None if invitation.survey.is_anonymous else response
    if complete:
        invitation.responded_at = timezone.now()
    invitation.save(update_fields=["disposition", "response", "responded_at"])


def answered(invitation: Invitation) -> bool:
    return invitation.disposition == Disposition.COMPLETE


# --- staff ---------------------------------------------------------------------------------------------------


@transaction.atomic
def set_disposition(*, actor: User | None, invitation: Invitation, disposition: str) -> Invitation:
    """Staff record what happened to an invitation: a bounce (undeliverable), a refusal by reply, not eligible..."""
    if disposition not in Disposition.values:
        raise ValidationError(_("%(value)s is not a disposition.") % {"value": disposition})
    audit.save_with_audit(
        invitation, {"disposition": disposition}, actor=actor, agency=invitation.survey.agency
    )
    return invitation


@transaction.atomic
def set_dispositions_by_email(*, actor: User | None, survey: Survey, emails: str, disposition: str) -> int:
    """The same, for a pasted list of addresses (for example the bounces a mail server reported)."""
    if disposition not in Disposition.values:
        raise ValidationError(_("%(value)s is not a disposition.") % {"value": disposition})
    addresses = {part.strip().lower() for part in emails.replace(",", "\n").split() if part.strip()}
    if not addresses:
        raise ValidationError(_("Paste at least one email address."))
    matched = [
        invitation.pk
        for invitation in Invitation.objects.filter(survey=survey).exclude(email="").only("pk", "email")
        if invitation.email.lower() in addresses
    ]
    count = Invitation.objects.filter(pk__in=matched).update(disposition=disposition)
    audit.record(
        actor=actor,
        action=f"set invitations {disposition}",
        target=survey,
        agency=survey.agency,
        changes={"invitations": [None, count]},
    )
    return count


@transaction.atomic
def purge_contacts(*, days: int = DEFAULT_PURGE_DAYS, now: dt.datetime | None = None) -> int:
    """Blank the addresses no survey needs any more: those of surveys closed or archived more than `days` ago,
    and of everyone who unsubscribed, at once. Dispositions stay, so the response rates do not change.

    A survey's last change stands for when it was closed: a closed survey cannot be edited, so that is never
    earlier than the closing, and an address is never deleted too soon."""
    now = now or timezone.now()
    ended = Q(
        survey__status__in=[Survey.Status.CLOSED, Survey.Status.ARCHIVED],
        survey__updated_at__lte=now - dt.timedelta(days=days),
    )
    due = Invitation.objects.filter(ended | Q(unsubscribed_at__isnull=False)).exclude(email="")
    per_survey = list(due.values("survey_id").annotate(n=Count("pk")))
    count = Invitation.objects.filter(pk__in=due.values("pk")).update(email="")
    for survey in Survey.objects.filter(pk__in=[row["survey_id"] for row in per_survey]).select_related(
        "agency"
    ):
        n = next(row["n"] for row in per_survey if row["survey_id"] == survey.pk)
        audit.record(
            actor=None,
            action="deleted survey contacts",
            target=survey,
            agency=survey.agency,
            changes={"addresses deleted": [None, n]},
        )
    return count
