"""Complaints (EO 12862 §1(g), §1(h)): cases from every channel, their clocks, routing rules and triage.

A case knows its clock: `Case.first_response_due` and friends come from the service-level policy that applies and
the calendar of the office that holds the case, with time spent waiting on the customer left out.
"""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.complaints.clocks import WorkingCalendar
from touchstone.core.models import Agency, InSpanishToo, Office

# Crockford's base32 without I, L, O, U: easy to read aloud, hard to guess (32^6 ≈ 10^9 per agency and year).
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_tracking_number(agency: Agency, year: int) -> str:
    suffix = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(6))
    return f"{agency.abbreviation.upper()}-{year}-{suffix}"


CLOCK_LABELS = {
    "acknowledge": _("acknowledge"),
    "first_response": _("first response"),
    "resolve": _("resolve"),
    "update": _("update the customer"),
}


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon")
    URGENT = "urgent", _("Urgent")


class ComplaintSettings(models.Model):
    """One agency's choices for its complaints: retention, dispute window, assignment, warnings."""

    class Assignment(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round-robin: handlers take turns")
        LEAST_LOADED = "least_loaded", _("Least loaded: the handler with the fewest open cases")
        MANUAL = "manual", _("Manual: a supervisor assigns each case")

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="complaint_settings")
    retention_days = models.PositiveIntegerField(
        _("keep personal details for (days after closing)"),
        default=3 * 365,
        help_text=_("After this, narratives and contact details of closed cases are removed."),
    )
    dispute_window_days = models.PositiveIntegerField(
        _("days a customer may dispute a closed case"), default=30
    )
    assignment = models.CharField(
        _("assignment inside a queue"),
        max_length=20,
        choices=Assignment.choices,
        default=Assignment.ROUND_ROBIN,
    )
    warn_before_hours = models.PositiveIntegerField(
        _("warn a supervisor this many hours before a breach"), default=24
    )
    duplicate_window_days = models.PositiveIntegerField(
        _("flag likely duplicates of open cases received within (days)"),
        default=30,
        help_text=_(
            "A new complaint from the same email address or phone as an open case received within these days, "
            "saying much the same, is flagged for a handler to merge or dismiss. 0 turns the flag off."
        ),
    )
    triage_min_confidence = models.FloatField(
        _("least confidence for a triage suggestion"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Between 0 and 1. Below it, triage suggests nothing and leaves the case to a person."),
    )

    class Meta:
        verbose_name_plural = "complaint settings"

    def __str__(self) -> str:
        return f"Complaint settings of {self.agency}"

    @classmethod
    def of(cls, agency: Agency) -> "ComplaintSettings":
        found, _created = cls.objects.get_or_create(agency=agency)
        return found


class Topic(InSpanishToo, models.Model):
    """What a complaint is about, in the agency's words; a topic may sit under a broader one (CFPB Product/Issue).
    Pages and selects name it in the reader's language (`display_label`); the audit log keeps the English (`__str__`)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="complaint_topics")
    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "parent", "name"], name="topic_unique_in_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} — {self.name}" if self.parent_id and self.parent else self.name

    @property
    def display_label(self) -> str:
        """The label "Parent — Child" in the active language: each part's Spanish name on Spanish pages when given."""
        if self.parent_id and self.parent:
            return f"{self.parent.display_name} — {self.display_name}"
        return self.display_name


class OfficeCalendar(models.Model):
    """When an office works: opening hours on working weekdays, in the office's time zone; federal holidays and
    the closures listed are skipped."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="complaint_calendar")
    opens_at = models.TimeField(_("opens at"), default=dt.time(9, 0))
    closes_at = models.TimeField(_("closes at"), default=dt.time(17, 0))
    working_weekdays = models.CharField(
        _("working weekdays"), max_length=13, default="0,1,2,3,4", help_text=_("0 is Monday, 6 is Sunday.")
    )
    closures = models.TextField(
        _("closures"),
        blank=True,
        help_text=_("Days the office is closed besides federal holidays, one YYYY-MM-DD a line."),
    )

    def __str__(self) -> str:
        return f"Calendar of {self.office}"

    def closure_dates(self) -> frozenset[dt.date]:
        days = set()
        for line in self.closures.splitlines():
            try:
                days.add(dt.date.fromisoformat(line.strip()))
            except ValueError:
                continue
        return frozenset(days)

    def weekdays(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.working_weekdays.split(",") if part.strip().isdigit())


class ServiceLevelPolicy(models.Model):
    """How quickly the agency promises to acknowledge, answer and resolve; the most specific policy wins."""

    class Counting(models.TextChoices):
        CALENDAR = "calendar", _("Calendar hours")
        BUSINESS = "business", _("Business hours (the office's working hours)")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="complaint_policies")
    name = models.CharField(_("name"), max_length=200)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Leave empty for every service."),
    )
    channel = models.CharField(
        _("channel"),
        max_length=30,
        choices=Channel.choices,
        blank=True,
        help_text=_("Leave empty for every channel."),
    )
    severity = models.CharField(
        _("severity"),
        max_length=20,
        choices=Severity.choices,
        blank=True,
        help_text=_("Leave empty for every severity."),
    )
    counting = models.CharField(
        _("hours count as"), max_length=10, choices=Counting.choices, default=Counting.BUSINESS
    )
    acknowledge_hours = models.PositiveIntegerField(_("acknowledge within (hours)"), default=8)
    first_response_hours = models.PositiveIntegerField(_("first response within (hours)"), default=40)
    resolve_hours = models.PositiveIntegerField(_("resolve within (hours)"), default=240)
    update_hours = models.PositiveIntegerField(
        _("update the customer every (hours)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no update clock."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "service-level policies"

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return (4 if self.service_id else 0) + (2 if self.severity else 0) + (1 if self.channel else 0)

    def applies_to(self, service_id: int | None, channel: str, severity: str) -> bool:
        return (
            (self.service_id is None or self.service_id == service_id)
            and (not self.channel or self.channel == channel)
            and (not self.severity or self.severity == severity)
        )


class RoutingRule(models.Model):
    """Sends a new complaint to an office and a queue when it matches; rules are tried in order."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="complaint_rules")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.CASCADE
    )
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.CASCADE)
    state = models.CharField(
        _("customer's state"), max_length=2, blank=True, help_text=_("Two letters, e.g. MD.")
    )
    words = models.CharField(
        _("words"),
        max_length=300,
        blank=True,
        help_text=_("Any of these words in the complaint, separated by commas."),
    )
    office = models.ForeignKey(Office, verbose_name=_("send to office"), on_delete=models.CASCADE)
    queue = models.CharField(_("queue"), max_length=60, default="general")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def word_list(self) -> list[str]:
        return [word.strip().lower() for word in self.words.split(",") if word.strip()]

    def matches(self, *, service_id: int | None, topic_id: int | None, state: str, text: str) -> bool:
        if self.service_id and self.service_id != service_id:
            return False
        if self.topic_id and self.topic_id != topic_id:
            return False
        if self.state and self.state.upper() != state.upper():
            return False
        words = self.word_list()
        if words:
            lowered = text.lower()
            return any(word in lowered for word in words)
        return True


class Case(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSESSED = "assessed", _("Assessed")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting on the customer")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    class Outcome(models.TextChoices):
        EXPLANATION = "explanation", _("Closed with explanation")
        MONETARY = "monetary", _("Closed with monetary relief")
        NON_MONETARY = "non_monetary", _("Closed with non-monetary relief")
        CLOSED = "closed", _("Closed")

    class ContactPreference(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        MAIL = "mail", _("Postal mail")
        NONE = "none", _("Do not contact me")

    OPEN_STATES = (
        State.RECEIVED,
        State.ACKNOWLEDGED,
        State.ASSESSED,
        State.IN_PROGRESS,
        State.WAITING,
        State.RESPONDED,
        State.REOPENED,
    )

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="complaint_cases")
    tracking_number = models.CharField(_("tracking number"), max_length=40, unique=True)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_cases",
    )
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices, default=Channel.WEBSITE)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    narrative = models.TextField(_("what happened"))
    remedy_wanted = models.TextField(_("what you would like us to do"), blank=True)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_preference = models.CharField(
        _("how to contact you"),
        max_length=10,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    state_code = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    consent_to_publish = models.BooleanField(
        _("may publish the narrative without personal details"), default=False
    )
    language = models.CharField(max_length=8, default="en")

    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.RECEIVED)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, blank=True)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_cases",
    )
    queue = models.CharField(_("queue"), max_length=60, default="general")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_cases",
    )
    policy = models.ForeignKey(
        ServiceLevelPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    relief_amount = models.DecimalField(
        _("monetary relief (USD)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    disputed = models.BooleanField(_("disputed by the customer"), default=False)

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_duplicates",
    )
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="split_parts",
    )
    # Set at intake when an open case of the same customer says much the same; a handler merges or dismisses it.
    likely_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("likely duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags: "models.ManyToManyField[CaseTag, Any]" = models.ManyToManyField(
        "CaseTag", verbose_name=_("tags"), blank=True, related_name="cases"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    dispute_until = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(
        default=0, help_text="Clock time spent waiting on the customer."
    )
    # Denormalised from the clocks so the worklist orders by time to breach in the database.
    next_breach_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_clock = models.CharField(max_length=20, blank=True)

    external_id = models.CharField(_("identifier in another system"), max_length=60, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    # Set when a complaint is filed and cleared by services.complete_intake, which routes it and starts its clocks
    # after the commit; until then the case is open, unassigned and without a policy.
    intake_pending = models.BooleanField(default=False)
    filed_by = models.CharField(
        max_length=150,
        blank=True,
        help_text="Who filed it, as the audit log names them: public, an API token, a staff member.",
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["agency", "state", "next_breach_at"]),
            models.Index(fields=["agency", "-received_at"]),
            models.Index(fields=["agency", "external_id"]),
            # The same customer's recent cases, looked up at each intake to flag a likely duplicate.
            models.Index(
                fields=["agency", "contact_email", "-received_at"],
                condition=~models.Q(contact_email=""),
                name="complaint_same_email",
            ),
            models.Index(
                fields=["agency", "contact_phone", "-received_at"],
                condition=~models.Q(contact_phone=""),
                name="complaint_same_phone",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(intake_pending=True),
                name="complaint_intake_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="complaint_idempotency_key_unique_in_agency",
            )
        ]

    def __str__(self) -> str:
        return self.tracking_number

    # --- the clock -----------------------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_paused(self) -> bool:
        return self.state == self.State.WAITING and self.waiting_since is not None

    def calendar(self) -> WorkingCalendar:
        """The calendar the clocks run on: the holding office's, or Eastern office hours when there is none.
        Worked out once per office and policy held (a case's clocks ask for it several times)."""
        held = (self.office_id, self.policy_id)
        memo = self.__dict__.get("_calendar_memo")
        if memo is not None and memo[0] == held:
            return memo[1]  # type: ignore[no-any-return]
        found_calendar = self._calendar()
        self.__dict__["_calendar_memo"] = (held, found_calendar)
        return found_calendar

    def _calendar(self) -> WorkingCalendar:
        policy = self.policy
        business = policy is None or policy.counting == ServiceLevelPolicy.Counting.BUSINESS
        office = self.office
        found = getattr(office, "complaint_calendar", None) if office is not None else None
        zone = office.time_zone if office is not None else "America/New_York"
        if found is None:
            return WorkingCalendar.shared(time_zone=zone, business_hours=business)
        return WorkingCalendar.shared(
            time_zone=zone,
            business_hours=business,
            opens_at=found.opens_at,
            closes_at=found.closes_at,
            weekdays=found.weekdays(),
            closures=found.closure_dates(),
        )

    def _paused_so_far(self, now: dt.datetime | None = None) -> int:
        """Clock seconds spent waiting on the customer, including a wait still going on."""
        paused = self.paused_seconds
        if self.is_paused and self.waiting_since is not None:
            paused += self.calendar().seconds_between(self.waiting_since, now or timezone.now())
        return paused

    def _due(self, hours: int | None, now: dt.datetime | None = None) -> dt.datetime | None:
        if hours is None:
            return None
        return self.calendar().add(self.received_at, hours * 3600 + self._paused_so_far(now))

    @property
    def acknowledge_due(self) -> dt.datetime | None:
        return self._due(self.policy.acknowledge_hours if self.policy else None)

    @property
    def first_response_due(self) -> dt.datetime | None:
        return self._due(self.policy.first_response_hours if self.policy else None)

    @property
    def resolve_due(self) -> dt.datetime | None:
        return self._due(self.policy.resolve_hours if self.policy else None)

    @property
    def next_update_due(self) -> dt.datetime | None:
        if self.policy is None or self.policy.update_hours is None or not self.is_open:
            return None
        since = self.last_update_at or self.first_responded_at or self.received_at
        calendar = self.calendar()
        return calendar.add(since, self.policy.update_hours * 3600)

    def pending_clocks(self) -> list[tuple[str, dt.datetime]]:
        """(clock, due) for each promise not yet kept, earliest first; none while the clock is paused."""
        if not self.is_open or self.is_paused or self.policy is None:
            return []
        pending: list[tuple[str, dt.datetime | None]] = []
        if self.acknowledged_at is None:
            pending.append(("acknowledge", self.acknowledge_due))
        if self.first_responded_at is None:
            pending.append(("first_response", self.first_response_due))
        if self.state != self.State.REOPENED:
            pending.append(("resolve", self.resolve_due))
        if self.first_responded_at is not None:
            pending.append(("update", self.next_update_due))
        return sorted(((name, due) for name, due in pending if due is not None), key=lambda item: item[1])

    def refresh_clock(self) -> None:
        """Recompute next_breach_at and next_clock (call before saving after any change)."""
        pending = self.pending_clocks()
        self.next_breach_at, self.next_clock = (pending[0][1], pending[0][0]) if pending else (None, "")

    def met(self, clock: str) -> bool | None:
        """Whether a promise was kept: None when it is not yet decided or there is no policy."""
        if self.policy is None:
            return None
        done, due = {
            "acknowledge": (self.acknowledged_at, self.acknowledge_due),
            "first_response": (self.first_responded_at, self.first_response_due),
            "resolve": (self.closed_at, self.resolve_due),
        }[clock]
        if due is None:
            return None
        if done is None:
            return False if timezone.now() > due else None
        return done <= due

    @property
    def next_clock_label(self) -> str:
        return str(CLOCK_LABELS.get(self.next_clock, ""))

    @property
    def time_to_breach(self) -> dt.timedelta | None:
        return self.next_breach_at - timezone.now() if self.next_breach_at else None

    @property
    def is_breached(self) -> bool:
        return self.next_breach_at is not None and self.next_breach_at <= timezone.now()

    @property
    def can_be_disputed(self) -> bool:
        return (
            self.state == self.State.CLOSED
            and not self.disputed
            and self.dispute_until is not None
            and timezone.now() <= self.dispute_until
        )

    def text_for_matching(self) -> str:
        return f"{self.narrative} {self.remedy_wanted}"


class HandlerLoad(models.Model):
    """What assignment reads instead of the case history: how many open cases a handler holds in an agency and when
    they were last given one. The services keep it in step, in the transaction that assigns, reassigns, closes or
    reopens a case."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="complaint_handler_loads")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="complaint_loads"
    )
    open_cases = models.IntegerField(default=0)
    last_given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "handler"], name="one_load_per_handler_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.handler} holds {self.open_cases} open cases in {self.agency}"


class CaseNote(models.Model):
    """An internal note: staff only, never shown to the customer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Note on {self.case}"


class CaseMessage(models.Model):
    """What the customer sees: the agency's messages and the customer's replies."""

    class Direction(models.TextChoices):
        TO_CUSTOMER = "to_customer", _("From the agency")
        FROM_CUSTOMER = "from_customer", _("From the customer")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    # The RFC 822 Message-ID of the email that brought or carried this message: replies thread on it.
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Set when a delivery-status notification (RFC 3464) says the email carrying this message was not delivered.
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_status = models.CharField(max_length=20, blank=True, help_text="The DSN status code, e.g. 5.1.1.")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Message on {self.case}"


class CannedReply(models.Model):
    """A reply handlers reuse, in English and Spanish, with placeholders filled from the case when used."""

    PLACEHOLDERS = ("{tracking_number}", "{customer_name}", "{agency}", "{handler}")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="canned_replies")
    title = models.CharField(_("title"), max_length=120)
    body_en = models.TextField(
        _("reply in English"),
        help_text=_("You may use {tracking_number}, {customer_name}, {agency} and {handler}."),
    )
    body_es = models.TextField(
        _("reply in Spanish"), blank=True, help_text=_("Sent to customers who wrote in Spanish.")
    )

    class Meta:
        ordering = ["title", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "title"], name="canned_reply_title_unique")]

    def __str__(self) -> str:
        return self.title

    def render(self, case: "Case", handler_name: str) -> str:
        text = self.body_es if case.language == "es" and self.body_es.strip() else self.body_en
        values = {
            "{tracking_number}": case.tracking_number,
            "{customer_name}": case.contact_name or "",
            "{agency}": case.agency.name,
            "{handler}": handler_name,
        }
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text


class CaseTag(models.Model):
    """A label handlers put on cases to find them together: "press inquiry", "refund"."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="complaint_tags")
    name = models.CharField(_("tag"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="case_tag_unique_in_agency")]

    def __str__(self) -> str:
        return self.name


class EmailIntake(models.Model):
    """Where an agency's complaint email comes from: an IMAP mailbox polled on a clock, and a webhook its mail
    provider posts to. Secrets are never stored: each field names the environment variable that holds one (or
    NAME_FILE naming a file that does)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="email_intake")
    imap_host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_tls = models.BooleanField(_("connect with TLS"), default=True)
    imap_username = models.CharField(_("IMAP user name"), max_length=200, blank=True)
    imap_password_env = models.CharField(
        _("environment variable holding the IMAP password"),
        max_length=100,
        blank=True,
        help_text=_("For example COMPLAINTS_IMAP_PASSWORD; NAME_FILE may name a file instead."),
    )
    imap_folder = models.CharField(_("folder to read"), max_length=100, default="INBOX")
    imap_done_folder = models.CharField(
        _("folder for handled messages"),
        max_length=100,
        blank=True,
        help_text=_("Handled messages move here; left empty, they stay and are marked as read."),
    )
    webhook_secret_env = models.CharField(
        _("environment variable holding the webhook signing key"),
        max_length=100,
        blank=True,
        help_text=_(
            "The key the mail provider signs its posts with (Mailgun: the webhook signing key; Mandrill: the "
            "webhook key)."
        ),
    )
    webhook_basic_auth_env = models.CharField(
        _("environment variable holding the webhook's user name and password"),
        max_length=100,
        blank=True,
        help_text=_(
            "For SendGrid, Postmark, Amazon SES, Mailjet and Mandrill: the variable holds user:password, the "
            "same pair written into the webhook address the provider posts to."
        ),
    )
    reply_address = models.EmailField(
        _("address customers reply to"),
        blank=True,
        help_text=_(
            "The complaints mailbox; the handler's emails name it as Reply-To so answers come back here."
        ),
    )
    last_polled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Email intake of {self.agency}"

    @property
    def polls(self) -> bool:
        return bool(self.imap_host and self.imap_username and self.imap_password_env)


class WebhookNonce(models.Model):
    """A signed webhook post already accepted: the same signature again is a replay and is refused."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=128)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Posts with no signed time (basic-auth providers) keep their nonce this long; signed ones only minutes.
    keep_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "nonce"], name="webhook_nonce_once")]

    def __str__(self) -> str:
        return self.nonce


class Article(models.Model):
    """A knowledge-base answer the agency writes once: suggested to handlers on similar cases and, when public,
    to people about to file a complaint on its topic."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="complaint_articles")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("answer"))
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True)
    body_es = models.TextField(_("answer in Spanish"), blank=True)
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("topics"),
        blank=True,
        related_name="articles",
        help_text=_("The products or issues it answers."),
    )
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the public site; otherwise only to staff.")
    )
    helped = models.PositiveIntegerField(default=0)
    did_not_help = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def in_language(self, language: str) -> tuple[str, str]:
        """(title, body) in Spanish when asked for and written, else English."""
        if language.startswith("es") and self.title_es.strip() and self.body_es.strip():
            return self.title_es, self.body_es
        return self.title, self.body

    @property
    def votes(self) -> int:
        return self.helped + self.did_not_help


class CaseEvent(models.Model):
    """The case's history as the customer and staff see it: state changes, without any free text."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=20, choices=Case.State.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.state}"


def attachment_path(instance: "CaseAttachment", filename: str) -> str:
    # A random name: the customer's file name may hold personal details and stays only in the database.
    suffix = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(
        instance.content_type, ".txt"
    )
    return f"complaints/{instance.case.agency_id}/{secrets.token_hex(16)}{suffix}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Attachment {self.pk} of {self.case}"


class ClockWarning(models.Model):
    """A warning sent to supervisors, kept so each clock of each case is warned about once per kind."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the breach")
        BREACHED = "breached", _("At the breach")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_warnings")
    clock = models.CharField(max_length=20)
    due = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "clock", "due", "kind"], name="one_warning_per_clock_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.clock} {self.kind}"


class SatisfactionFollowUp(models.Model):
    """The short question after closing, answered once through a link: resolved? how satisfied with handling?"""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="follow_up")
    token_hash = models.CharField(max_length=64, unique=True)
    resolved = models.BooleanField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Follow-up of {self.case}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class TriageModel(models.Model):
    """A classifier trained on one agency's closed complaints, with its accuracy measured on a held-out part."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="triage_models")
    trained_at = models.DateTimeField(default=timezone.now)
    training_cases = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(
        default=dict,
        help_text="{folds, kept, narratives: {cases, new: {target: scores}, baseline: {...}}, fields_only: {...}}",
    )
    blob = models.BinaryField()

    class Meta:
        ordering = ["-trained_at", "-pk"]

    def __str__(self) -> str:
        return f"Triage model of {self.agency} at {self.trained_at:%Y-%m-%d %H:%M}"

    def figures(self) -> list[dict[str, Any]]:
        """One row per kind of case and target: the new model's cross-validated figures beside the baseline's."""
        rows = []
        for group in ("narratives", "fields_only"):
            found = self.metrics.get(group) or {}
            baseline = found.get("baseline", {})
            for target, scores in found.get("new", {}).items():
                plain = baseline.get(target, {})
                rows.append(
                    {
                        "group": group,
                        "target": target,
                        "accuracy": scores["accuracy"],
                        "macro_f1": scores["macro_f1"],
                        "baseline_accuracy": plain.get("accuracy"),
                        "baseline_macro_f1": plain.get("macro_f1"),
                        "cases": scores["cases"],
                        "per_class": scores.get("per_class", {}),
                        "baseline_per_class": plain.get("per_class", {}),
                    }
                )
        return rows


class TriageSuggestion(models.Model):
    """What the classifier suggested for a case, and what the handler did with it."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Not reviewed")
        ACCEPTED = "accepted", _("Accepted")
        CORRECTED = "corrected", _("Corrected")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="suggestion")
    model = models.ForeignKey(TriageModel, null=True, on_delete=models.SET_NULL)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic_confidence = models.FloatField(default=0)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    office_confidence = models.FloatField(default=0)
    urgency = models.CharField(max_length=20, choices=Urgency.choices, blank=True)
    urgency_confidence = models.FloatField(default=0)
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Suggestion for {self.case}"
