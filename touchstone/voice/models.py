"""Employee voice (EO 12862 §1(e)): anonymous front-line surveys and a board of barriers and ideas.

Anonymous by construction. An answer (`EmployeeAnswer`) keeps a random id, the survey, the version and the month,
nothing else: no person, link, address, browser detail or exact time. The one-use link that proves a person may
answer (`EligibilityToken`) has no field that points at an answer, nor a time it was used. Free text is split off
at submission into `EmployeeComment` rows that point at no answer either, so a comment cannot be joined back to
the office or tenure its author gave; it is shown only after a reviewer has removed identifying details.
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

    def __str__(self) -> str:
        return f"Breakdowns of {self.survey}"


class EligibilityToken(models.Model):
    """A one-use link. Proves the holder may answer; knows nothing of the answer (no field points at one)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="eligibility_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    # Kept only while the survey runs, to send the link; cleared when the survey closes.
    email = models.EmailField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "used"])]

    def __str__(self) -> str:
        return f"One-use link {self.pk} of survey {self.survey_id}"


class EmployeeAnswer(models.Model):
    """One employee's answers to the closed questions. Random id, and the month only, so order is unknowable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="employee_answers")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="employee_answers")
    answers = models.JSONField(default=dict)
    period = models.DateField(help_text="The first day of the month it was given; never a finer time.")

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

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "Employee comment"

    @property
    def display_key(self) -> str:
        """A stable sort key unrelated to when the comment arrived."""
        return hashlib.sha256(self.redacted.encode()).hexdigest()


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
