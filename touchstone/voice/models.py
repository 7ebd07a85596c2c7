"""Employee voice (EO 12862 §1(e)): anonymous front-line surveys and a board of barriers and ideas.

Anonymous by construction, against a reader of the database as much as a reader of the screens:

- The one-use link (`EligibilityToken`) keeps only the SHA-256 of its random token, minted by the task that sends
  the email, so neither the queue nor the database ever holds the link itself. It has no field that points at an
  answer, nor a time it was used.
- Using a link and keeping its answers are two separate transactions: the answers wait in a pool
  (`PendingAnswer`, random id, no time) and a periodic job writes pooled answers in shuffled batches
  (`EmployeeAnswer`, random id), re-marking every used link of the survey in that same batch transaction, so
  neither a transaction id (PostgreSQL `xmin`) nor the order of rows pairs a link with an answer.
- An answer keeps the survey, the version, the answers and the period of the release it was counted in, nothing
  else. Free text becomes `EmployeeComment` rows that point at no answer, shown only within a release and only
  after a reviewer has removed identifying details.
- Staff read figures only from `VoiceRelease` rows: computed once, when enough new people have answered, and never
  moved afterwards.
"""

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.models import JourneyStage, Service
from touchstone.complaints.models import Topic
from touchstone.core.models import Agency
from touchstone.standards.models import ServiceStandard
from touchstone.surveys.models import Survey, SurveyVersion

DEFAULT_MINIMUM_GROUP = 10


def this_month(today: dt.date | None = None) -> dt.date:
    """The first day of the current month: the finest time employee voice keeps."""
    return (today or timezone.localdate()).replace(day=1)


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class VoiceSettings(models.Model):
    """An agency's rules for showing employee results."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="voice_settings")
    minimum_group = models.PositiveSmallIntegerField(
        _("fewest respondents in a group before its results are shown"),
        default=DEFAULT_MINIMUM_GROUP,
        validators=[MinValueValidator(3)],
        help_text=_(
            "Groups smaller than this are hidden, with one more group where needed to stop subtraction."
        ),
    )

    def __str__(self) -> str:
        return f"Employee voice settings of {self.agency}"


class EmployeeSurveySetup(models.Model):
    """Per-survey choices: which answered questions (office, tenure, role) results may be broken down by."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="voice_setup")
    breakdown_keys = models.JSONField(_("break results down by"), default=list, blank=True)
    release_every_days = models.PositiveSmallIntegerField(
        _("release results every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Leave empty to release only when the survey closes. A release is made only when enough new "
            "people have answered since the last one."
        ),
    )
    privacy_budget = models.FloatField(
        _("differential privacy budget (epsilon) for the whole survey"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
        help_text=_("Leave empty for no added noise. Smaller means more privacy and noisier figures."),
    )
    epsilon_per_release = models.FloatField(
        _("budget spent on each release (epsilon)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
    )

    def __str__(self) -> str:
        return f"Breakdowns of {self.survey}"


class EligibilityToken(models.Model):
    """A one-use link. Proves the holder may answer; knows nothing of the answer (no field points at one)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="eligibility_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    # Kept only while the survey runs, to send the link; cleared when the survey closes.
    email = models.EmailField(blank=True)
    # The roster's breakdown attributes of the person, coarsened so that at least the minimum share each
    # combination; copied to the answer so employees need not say who they are.
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "used"])]

    def __str__(self) -> str:
        return f"One-use link {self.pk} of survey {self.survey_id}"


class VoiceRelease(models.Model):
    """One release of an employee survey's results: the figures of the people who answered since the last one.

    Each release covers at least the minimum number of new respondents and is computed once; the screens, the
    export and the API read nothing else. Releases cover disjoint sets of people, so no two can be subtracted.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="voice_releases")
    number = models.PositiveIntegerField()
    released_on = models.DateField(help_text="The day it was made: the finest time any answer is tied to.")
    respondents = models.PositiveIntegerField(
        help_text="New respondents it covers (never below the minimum)."
    )
    minimum = models.PositiveSmallIntegerField()
    figures = models.JSONField(default=dict, help_text="The suppressed (and, if chosen, noised) results.")
    epsilon = models.FloatField(null=True, blank=True, help_text="Privacy budget spent on it, if noised.")

    class Meta:
        ordering = ["survey", "number"]
        get_latest_by = "number"
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="one_release_number")]

    def __str__(self) -> str:
        return f"Release {self.number} of survey {self.survey_id}"


class PendingAnswer(models.Model):
    """Answers waiting in the pool until a batch is written. Random id, no time, nothing about the link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pending_employee_answers")
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    comments = models.JSONField(default=list, help_text="[{question_key, measures, text}] of free text.")

    def __str__(self) -> str:
        return "Pooled employee answer"


class EmployeeAnswer(models.Model):
    """One employee's answers to the closed questions. Random id and the release's period: order is unknowable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="employee_answers")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="employee_answers")
    answers = models.JSONField(default=dict)
    period = models.DateField(
        help_text="The first day of the month of its release (or of its batch, before)."
    )
    release = models.ForeignKey(
        VoiceRelease, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "Employee answer"


class EmployeeComment(models.Model):
    """A free-text answer, detached from the rest of its answers, waiting for or past a reviewer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        WITHHELD = "withheld", _("Withheld")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="employee_comments")
    question_key = models.CharField(max_length=60)
    measures = models.CharField(max_length=20, blank=True)
    # What the employee wrote; erased once reviewed, so only the redacted copy survives.
    original = models.TextField(blank=True)
    redacted = models.TextField(_("comment with identifying details removed"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Reviewers see a comment only once the release that counted its author has been made.
    release = models.ForeignKey(
        VoiceRelease, null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "Employee comment"

    @property
    def display_key(self) -> str:
        """A stable sort key unrelated to when the comment arrived."""
        return hashlib.sha256(self.redacted.encode()).hexdigest()


class RosterEntry(models.Model):
    """One employee on the agency's roster, imported from HR, with the attributes results are broken down by."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="voice_roster")
    email = models.EmailField()
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["agency", "email"], name="one_roster_entry_per_email")]

    def __str__(self) -> str:
        return f"Roster entry {self.pk}"


class SendRequest(models.Model):
    """A send that a second admin must approve: to fewer people than the minimum, or outside the roster."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second admin")
        APPROVED = "approved", _("Approved and sent")
        REFUSED = "refused", _("Refused")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="voice_send_requests")
    # Cleared once the request is decided: only the count remains.
    emails = models.JSONField(default=list)
    count = models.PositiveIntegerField()
    outside_roster = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=list)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Send request {self.pk}"


class BarrierKind(models.TextChoices):
    POLICY = "policy", _("Policy")
    PROCESS = "process", _("Process")
    TOOLS = "tools", _("Tools")
    TRAINING = "training", _("Training")
    STAFFING = "staffing", _("Staffing")
    OTHER = "other", _("Other")


class BoardItem(models.Model):
    """A barrier or an idea posted by front-line staff. Anonymous items keep no author, and only the month."""

    class Kind(models.TextChoices):
        BARRIER = "barrier", _("Barrier")
        IDEA = "idea", _("Idea")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_REVIEW = "under_review", _("Under review")
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        NOT_NOW = "not_now", _("Not now")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="board_items")
    kind = models.CharField(_("is it a barrier or an idea"), max_length=10, choices=Kind.choices)
    summary = models.CharField(_("in a few words"), max_length=150)
    text = models.TextField(_("what happens, and what would help"))
    barrier_kind = models.CharField(
        _("kind of barrier"), max_length=10, choices=BarrierKind.choices, default=BarrierKind.OTHER
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    journey_stage = models.ForeignKey(
        JourneyStage,
        verbose_name=_("stage of the customer's journey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Empty for an anonymous item: nothing about the author is kept.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period = models.DateField(help_text="The first day of the month it was posted.")
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED)
    reply = models.TextField(_("reply to staff"), blank=True)
    done_period = models.DateField(null=True, blank=True, help_text="The month it was marked done.")
    standard = models.ForeignKey(
        ServiceStandard,
        verbose_name=_("service standard it would improve"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("complaint topic it would improve"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_items"
    )

    class Meta:
        ordering = ["summary", "id"]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        # Never the text: audit entries show this, and the log must not copy what staff wrote.
        return f"Board item {str(self.pk)[:8]}"

    @property
    def is_anonymous(self) -> bool:
        return self.author_id is None


class Support(models.Model):
    """One person's support for an item. Never shown to anyone; only counted. No time, and a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(BoardItem, on_delete=models.CASCADE, related_name="supports")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "supporter"], name="one_support_per_person")]

    def __str__(self) -> str:
        return "Support"
