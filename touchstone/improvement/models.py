"""Improvement: the loop from promise to measure to action to measured effect, and closing the loop with a customer.

- `ServiceMonth`: a service's survey scores and complaints counted per month, kept by a task, so the service page
  reads a few hundred rows instead of scanning every response and case.
- `ImprovementAction`: one change the agency makes to a service (an item serving a goal of the A-11 action plan,
  `reports.ActionGoal`, which it links to rather than repeats), what prompted it, and the measure it should move.
- `FollowUpRule` / `FollowUp`: the agency's rule for which answers open a follow-up with a customer who agreed to
  be contacted, and each follow-up item with its owner, clock and outcome.
- `ServiceFollower` / `Alert`: a person following a service, and what they were told.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.models import Service
from touchstone.core.models import Agency, InSpanishToo

A11_MEASURES = [
    ("satisfaction", _("Satisfaction")),
    ("trust", _("Trust")),
    ("effectiveness", _("Effectiveness")),
    ("ease", _("Ease")),
    ("efficiency", _("Efficiency")),
    ("equity", _("Equity and transparency")),
    ("employee", _("Employee helpfulness")),
]


class ServiceMonth(models.Model):
    """One month of one service from one source: for a survey measure, answers and those agreeing (4 or 5 of 5);
    for complaints on a topic (key "" for all), cases received, those of them closed, and their days to close."""

    class Source(models.TextChoices):
        SURVEY = "survey", _("Survey")
        COMPLAINTS = "complaints", _("Complaints")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    source = models.CharField(max_length=12, choices=Source.choices)
    key = models.CharField(max_length=200, blank=True)
    count = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)
    days = models.FloatField(
        default=0.0, help_text="Complaints: days from receipt to close, summed over hits."
    )

    class Meta:
        ordering = ["service", "source", "key", "month"]
        constraints = [
            models.UniqueConstraint(fields=["service", "source", "key", "month"], name="service_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.source}:{self.key} {self.month:%Y-%m}"


class ImprovementAction(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Prompt(models.TextChoices):
        STANDARD = "standard", _("A standard slipping")
        SURVEY = "survey", _("A survey score")
        COMPLAINTS = "complaints", _("Complaints on a topic")
        BARRIER = "barrier", _("A barrier or idea from staff")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="improvement_actions")
    title = models.CharField(_("what will change"), max_length=200)
    title_es = models.CharField(_("what will change, in Spanish"), max_length=200, blank=True)
    why = models.TextField(_("why"), help_text=_("What the signal, barrier or complaints showed."))
    prompted_by = models.CharField(_("prompted by"), max_length=12, choices=Prompt.choices)
    standard = models.ForeignKey(
        "standards.ServiceStandard",
        verbose_name=_("the standard"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    board_item = models.ForeignKey(
        "voice.BoardItem",
        verbose_name=_("the barrier or idea"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.ForeignKey(
        "complaints.Topic",
        verbose_name=_("the complaint topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    goal = models.ForeignKey(
        "reports.ActionGoal",
        verbose_name=_("the action plan goal it serves"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_actions",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_on = models.DateField(_("starts"))
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    # The measure it should move: a standard's share met, or an A-11 survey measure's share agreeing.
    measure_standard = models.ForeignKey(
        "standards.ServiceStandard",
        verbose_name=_("standard it should move"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    measure_survey = models.CharField(
        _("survey measure it should move"), max_length=20, choices=A11_MEASURES, blank=True
    )
    published = models.BooleanField(
        _("tell the public"),
        default=False,
        help_text=_("Shown on the service's public page once it is done."),
    )
    # The verdict last told to followers, so an alert goes out only when it changes.
    last_verdict = models.CharField(max_length=12, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def change_month(self) -> dt.date | None:
        """The first month after the change: the month after it was done."""
        if self.done_on is None:
            return None
        return (self.done_on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


class FollowUpRule(models.Model):
    """The agency's rule: which answers about which service open a follow-up, who owns it and how long they have.
    Nothing opens for a customer who did not answer yes to the survey's contact-consent question."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Leave empty for every service without a rule of its own."),
    )
    score_at_most = models.PositiveSmallIntegerField(
        _("a score of at most"),
        null=True,
        blank=True,
        help_text=_("On the 1 to 5 questions of the A-11 measures; for example 2."),
    )
    on_negative_comment = models.BooleanField(_("an answer to “what did not go well”"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+"
    )
    hours_to_close = models.PositiveSmallIntegerField(
        _("business hours to close"),
        default=16,
        help_text=_("Counted in the complaints clocks' office hours."),
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["service__name", "pk"]

    def __str__(self) -> str:
        return f"Follow-up rule {self.pk}"


class FollowUp(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Put right")
        EXPLAINED = "explained", _("Explained; nothing to put right")
        NOT_REACHED = "not_reached", _("Could not reach the customer")
        DECLINED = "declined", _("Customer no longer wanted contact")

    class Reason(models.TextChoices):
        LOW_SCORE = "low_score", _("Low score")
        COMMENT = "comment", _("Said what did not go well")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    response = models.OneToOneField("surveys.Response", on_delete=models.CASCADE, related_name="follow_up")
    rule = models.ForeignKey(FollowUpRule, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    note = models.TextField(_("what was done"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["service", "state"])]

    def __str__(self) -> str:
        return f"Follow-up {self.pk}"

    def is_late(self, now: dt.datetime | None = None) -> bool:
        if self.state == self.State.CLOSED:
            return self.closed_at is not None and self.closed_at > self.due_at
        return (now or timezone.now()) > self.due_at


class ServiceFollower(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "user"], name="one_follow_per_service")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.service_id}"


class Alert(InSpanishToo, models.Model):
    """Something a follower was told. `key` names the event, so the same event never alerts twice."""

    class Kind(models.TextChoices):
        CONTROL_LIMIT = "control_limit", _("Beyond control limits")
        BURN_RATE = "burn_rate", _("Error budget burning fast")
        FOLLOW_UP_DUE = "follow_up_due", _("Follow-up about to miss its clock")
        ACTION_MEASURE = "action_measure", _("An action's measure changed")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=120)
    text = models.CharField(max_length=300)
    text_es = models.CharField(max_length=300, blank=True)  # the same alert, written in Spanish
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_alert_per_event")]

    def __str__(self) -> str:
        return self.text
