"""Surveys (EO 12862 §1(b), §1(e)): instruments with their Paperwork Reduction Act details, versions, invitations
and responses.

A survey is edited as pages and questions; publishing freezes them into a `SurveyVersion` whose `schema` every
response keeps, so an edit after publishing never changes what earlier respondents were asked. Answers live in
one JSON column of the response: a submission is a single row insert, the cheapest durable write there is.
"""

import datetime as dt
import hashlib
import re
import secrets
import string
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.core.models import Agency, Office

SHORT_CODE_ALPHABET = "".join(ch for ch in string.ascii_lowercase + string.digits if ch not in "il1o0")


LINK_PARAMETER = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def validate_link_parameters(value: str) -> None:
    """One parameter name a line, as a link writes it: lower-case letters, digits and underscores."""
    for line in value.splitlines():
        name = line.strip()
        if name and not LINK_PARAMETER.match(name):
            raise ValidationError(
                _(
                    "“%(name)s” is not a link parameter name: use lower-case letters, digits and _, like transaction_id."
                ),
                params={"name": name[:60]},
            )


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(7))


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    class TransactionPoint(models.TextChoices):
        POST_INTERACTION = "post_interaction", _("After an interaction")
        POST_SERVICE_JOURNEY = "post_service_journey", _("After the whole service journey")
        RELATIONAL = "relational", _("About the relationship overall")

    class Audience(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        EMPLOYEES = "employees", _("Front-line employees (anonymous)")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="surveys")
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    title = models.CharField(_("title"), max_length=200)
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    introduction_es = models.TextField(_("introduction in Spanish"), blank=True)
    thank_you = models.TextField(
        _("thank-you message"), blank=True, default="Thank you. Your answers help us improve."
    )
    thank_you_es = models.TextField(
        _("thank-you message in Spanish"), blank=True, default="Gracias. Sus respuestas nos ayudan a mejorar."
    )
    # The language of the texts above (title, questions, choices); others live in SurveyTranslation, Spanish also
    # in the `_es` columns it always had.
    default_language = models.CharField(_("language it is written in"), max_length=12, default="en")
    # What an imported XLSForm said about itself (form_id, version, other settings), written back on export.
    xlsform_settings = models.JSONField(default=dict, blank=True)
    short_code = models.CharField(max_length=12, unique=True, default=new_short_code, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    audience = models.CharField(
        _("who answers"), max_length=20, choices=Audience.choices, default=Audience.CUSTOMERS
    )
    transaction_point = models.CharField(
        _("when it is asked"),
        max_length=30,
        choices=TransactionPoint.choices,
        default=TransactionPoint.POST_INTERACTION,
    )
    default_channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices, blank=True)
    template = models.CharField(
        max_length=40, blank=True, help_text="The template it was built from, if any."
    )
    # Paperwork Reduction Act: a public survey shows the control number and expiration date together.
    omb_control_number = models.CharField(
        _("OMB control number"), max_length=20, blank=True, help_text=_("For example 1090-0011.")
    )
    omb_expiration_date = models.DateField(_("OMB expiration date"), null=True, blank=True)
    burden_minutes = models.PositiveSmallIntegerField(_("minutes to answer (burden estimate)"), default=2)
    federal_register_url = models.URLField(_("Federal Register notice"), blank=True)
    allowed_origins = models.TextField(
        _("websites allowed to embed it"),
        blank=True,
        help_text=_("One origin per line, for example https://www.example.gov"),
    )
    prefill_parameters = models.TextField(
        _("link parameters it takes"),
        blank=True,
        validators=[validate_link_parameters],
        help_text=_(
            "One name per line, for example transaction_id. A question with that short name is filled in from the "
            "link (the person can change it); any other name is kept with the response as a hidden field."
        ),
    )
    burst_per_minute = models.PositiveIntegerField(
        _("answers a minute before a burst is held as suspected spam"),
        default=0,
        help_text=_(
            "Leave at 0 for no limit. Answers beyond it are kept, marked as suspected spam for review in the inbox."
        ),
    )
    minimum_to_show = models.PositiveSmallIntegerField(
        _("fewest answers before a figure is shown"),
        default=30,
        help_text=_("Figures resting on fewer answers are marked and not shown."),
    )
    current_version = models.ForeignKey(
        "SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When responses were last marked spam or not spam: kept analyses of a whole year check it instead of
    # counting the year's responses.
    responses_revised_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_anonymous(self) -> bool:
        return self.audience == self.Audience.EMPLOYEES

    def pra_expired(self, today: dt.date | None = None) -> bool:
        if self.omb_expiration_date is None:
            return False  # checked on every submission: no clock read when there is nothing to expire
        return self.omb_expiration_date < (today or timezone.localdate())

    def days_to_expiry(self, today: dt.date | None = None) -> int | None:
        if self.omb_expiration_date is None:
            return None
        return (self.omb_expiration_date - (today or timezone.localdate())).days

    def collecting(self, today: dt.date | None = None) -> bool:
        """Whether the public form takes answers now: published, with a current PRA clearance when it needs one."""
        return (
            self.status == self.Status.PUBLISHED
            and self.current_version_id is not None
            and not self.pra_expired(today)
        )

    def burden_statement(self) -> str:
        return (
            f"A federal agency may not conduct or sponsor, and a person is not required to respond to, nor shall a "
            f"person be subject to a penalty for failure to comply with, a collection of information subject to the "
            f"requirements of the Paperwork Reduction Act unless that collection displays a currently valid OMB "
            f"control number. The public reporting burden for this collection is estimated to average "
            f"{self.burden_minutes} minutes per response, including the time for reviewing instructions and "
            f"completing the form. Send comments on this estimate to {self.agency.name}."
        )

    def origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()]

    def prefill_names(self) -> list[str]:
        return [line.strip() for line in self.prefill_parameters.splitlines() if line.strip()]

    def localized(self, field: str, language: str) -> str:
        """The survey's own text in `language`, or its default language's when there is no translation."""
        if language == "es":
            spanish = getattr(self, f"{field}_es", "")
            if spanish:
                return str(spanish)
        elif language != self.default_language:
            translation = next((t for t in self.translations.all() if t.language == language), None)
            if translation is not None and translation.texts.get(f"survey:{field}"):
                return str(translation.texts[f"survey:{field}"])
        return str(getattr(self, field))


class SurveyTranslation(models.Model):
    """One more language a survey is offered in: every text of it keyed by what it translates, as
    `survey:title`, `page:<id>:title`, `question:<id>:text`, `question:<id>:help_text` and
    `question:<id>:choice:<value>`. A text left out falls back to the survey's own language."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=12)
    texts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["survey", "language"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "language"], name="survey_translation_language_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey} ({self.language})"


class Page(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pages")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("page title"), max_length=200, blank=True)
    title_es = models.CharField(_("page title in Spanish"), max_length=200, blank=True)
    # Branching: [{"question": key, "values": [...], "go_to": page position}] checked in order; else next page.
    branching = models.JSONField(default=list, blank=True)
    # The XLSForm group it came from ({"name": ..., "relevant": ...}), written back on export.
    xlsform = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title or f"Page {self.position}"


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT_5 = "likert5", _("Agreement, 5 points")
        LIKERT_7 = "likert7", _("Agreement, 7 points")
        SCALE_0_10 = "scale0_10", _("0 to 10 (likelihood to recommend)")
        SCALE_1_10 = "scale1_10", _("1 to 10")
        STARS = "stars", _("Star rating (1 to 5)")
        THUMBS = "thumbs", _("Thumbs up or down")
        YES_NO = "yes_no", _("Yes or no")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        DROPDOWN = "dropdown", _("Drop-down list")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        EMAIL = "email", _("Email address")
        PHONE = "phone", _("Phone number")
        HIDDEN = "hidden", _("Hidden (from the link)")
        DISPLAY = "display", _("Text to read (no answer)")

    class Measures(models.TextChoices):
        NONE = "", _("Nothing in particular")
        OVERALL = "overall", _("Overall satisfaction")
        SATISFACTION = "satisfaction", _("A-11: satisfaction")
        TRUST = "trust", _("A-11: trust")
        EFFECTIVENESS = "effectiveness", _("A-11: effectiveness")
        EASE = "ease", _("A-11: ease")
        EFFICIENCY = "efficiency", _("A-11: efficiency")
        EQUITY = "equity", _("A-11: equity and transparency")
        EMPLOYEE = "employee", _("A-11: employee helpfulness")
        NPS = "nps", _("Likelihood to recommend (NPS)")
        ACSI = "acsi", _("ACSI index item")
        EXPECTATION = "expectation", _("Expectation (what customers expect)")
        PERCEPTION = "perception", _("Experience (what customers got)")
        IMPORTANCE = "importance", _("Importance")
        WENT_WELL = "went_well", _("What went well")
        WENT_BADLY = "went_badly", _("What did not go well")
        COMMENT = "comment", _("Open comment")
        BARRIER = "barrier", _("Barrier to matching the best (employees)")
        IDEA = "idea", _("Idea for matching the best (employees)")
        # A yes/no question; "yes" lets the agency contact the respondent about their answers (a follow-up).
        CONTACT_CONSENT = "contact_consent", _("Agrees to be contacted about the answers")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=1)
    key = models.SlugField(
        _("short name"),
        max_length=60,
        help_text=_("Used in exports and the API, for example q1_satisfaction."),
    )
    kind = models.CharField(_("kind of answer"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("question"))
    text_es = models.TextField(_("question in Spanish"), blank=True)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    help_text_es = models.CharField(_("hint in Spanish"), max_length=300, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    max_length = models.PositiveIntegerField(_("longest answer (characters)"), null=True, blank=True)
    # [{"value": "ease", "label": "Easy", "label_es": "Fácil"}]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    allow_other = models.BooleanField(_("offer “Other” with a text box"), default=False)
    # {"question": key, "values": [...]} : shown only when an earlier answer is one of values.
    show_if = models.JSONField(_("show only when"), default=dict, blank=True)
    measures = models.CharField(_("what it measures"), max_length=20, choices=Measures.choices, blank=True)
    dimension = models.CharField(_("dimension (SERVQUAL)"), max_length=40, blank=True)
    # What an imported XLSForm row said beyond the columns above: its own name and group path, type, relevant,
    # constraint, calculation, choice_filter, default, appearance. Kept so an export gives the form back; the
    # public form runs the parts `instrument` can evaluate (constraints, cascades) and `collection` (defaults).
    xlsform = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["page__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique_in_survey")
        ]

    def __str__(self) -> str:
        return self.key


class SurveyVersion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    schema = models.JSONField(help_text="Pages and questions exactly as respondents saw them.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["survey", "number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"

    def questions(self) -> list[dict[str, Any]]:
        return [question for page in self.schema.get("pages", []) for question in page.get("questions", [])]


class Response(models.Model):
    class Status(models.TextChoices):
        PARTIAL = "partial", _("Partial")
        COMPLETE = "complete", _("Complete")

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        EMBED = "embed", _("Embedded form")
        EMAIL = "email", _("Email invitation")
        API = "api", _("API")
        IMPORT = "import", _("Imported")

    # Each column whose value is a constant default has that default in the database too (db_default), so the
    # submission's insert names only the columns a response sets (services.insert_response).
    # Every index is paid on each submission, the hottest write in the product: a survey's responses are found
    # through the (survey, status, answer time) index below, and offices and kiosks are never searched from here.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", db_index=False)
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.COMPLETE, db_default=Status.COMPLETE
    )
    source = models.CharField(
        max_length=10, choices=Source.choices, default=Source.WEB, db_default=Source.WEB
    )
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="en", db_default="en")
    # Where the answer came from, coarsely: the service, channel, office or location named in the link.
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=30, choices=Channel.choices, blank=True, default="", db_default="")
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    location = models.CharField(max_length=100, blank=True, default="", db_default="")
    referrer_page = models.CharField(
        max_length=200, blank=True, default="", db_default="", help_text="Path of the page it was sent from."
    )
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Design columns for responses collected elsewhere and imported.
    weight = models.FloatField(null=True, blank=True)
    stratum = models.CharField(max_length=60, blank=True, default="", db_default="")
    cluster = models.CharField(max_length=60, blank=True, default="", db_default="")
    population_size = models.FloatField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    resume_token_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    is_spam = models.BooleanField(default=False, db_default=False)
    # 0-100 from the form's checks (honeypot, speed, repeats, links, bursts); at SURVEY_SPAM_SCORE it is spam.
    spam_score = models.PositiveSmallIntegerField(default=0, db_default=0)
    spam_reasons = models.JSONField(default=list, blank=True, db_default=[])
    # Link parameters the survey allows that are not questions (a transaction id, a visit reference).
    link_fields = models.JSONField(default=dict, blank=True, db_default={})
    kiosk = models.ForeignKey(
        "KioskDevice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
        db_index=False,
    )
    is_flagged = models.BooleanField(default=False, db_default=False)
    is_archived = models.BooleanField(default=False, db_default=False)
    tags = models.JSONField(default=list, blank=True, db_default=[])

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "idempotency_key"],
                name="response_idempotency_unique",
                condition=models.Q(idempotency_key__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["survey", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey_id}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An email invitation with a one-time token. Carries an AAPOR disposition so response rates can be computed;
    the address is deleted when the survey no longer needs it."""

    class Disposition(models.TextChoices):
        PENDING = "pending", _("Sent, no answer yet")
        COMPLETE = "complete", _("Complete (I)")
        PARTIAL = "partial", _("Partial (P)")
        REFUSAL = "refusal", _("Refusal (R)")
        NON_CONTACT = "non_contact", _("Non-contact (NC)")
        OTHER = "other", _("Other non-response (O)")
        UNDELIVERABLE = "undeliverable", _("Undeliverable, eligibility unknown (UH)")
        UNKNOWN = "unknown", _("Unknown eligibility (UO)")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible (NE)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(blank=True, help_text="Blanked once the survey no longer needs it.")
    token_hash = models.CharField(max_length=64, unique=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, default=Disposition.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    response = models.OneToOneField(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=30, choices=Channel.choices, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(24)
        return token, hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class KioskDevice(models.Model):
    """A shared device (a tablet in an office lobby, a library computer) answering one survey all day. Its token
    exempts it from the per-address limit, under a limit of its own, and the form starts afresh after each answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="kiosks")
    name = models.CharField(
        _("where it stands"), max_length=100, help_text=_("For example: Lobby tablet, Room 2")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    per_minute = models.PositiveSmallIntegerField(
        _("most answers a minute"), default=30, help_text=_("A person takes longer; more is a script.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class KnownNetwork(models.Model):
    """An agency's own address (an office, a call centre behind one gateway) where many people answer: its
    surveys allow it more answers a minute than an unknown address. Holds a network, never a person's address."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="known_networks")
    network = models.CharField(
        _("address or network"), max_length=50, help_text=_("For example 203.0.113.7 or 203.0.113.0/24")
    )
    label = models.CharField(_("what it is"), max_length=100, help_text=_("For example: Denver field office"))
    per_minute = models.PositiveIntegerField(_("most answers a minute to one survey"), default=600)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "network"], name="known_network_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.network})"
