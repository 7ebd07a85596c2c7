"""Reports, plans and the A-11 cycle (EO 12862 §2, §3; OMB Circular A-11 §280).

The survey report, the customer service plan and the A-11 action plan share one approval path:
draft -> in review -> approved -> published, and the published version before is then superseded. Each published
version is kept with its date and approver. A survey report's figures are live until it is published (issued);
then they are frozen in `snapshot`.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.core.fiscal import FiscalQuarter
from touchstone.core.models import Agency
from touchstone.surveys.models import Survey


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


# Which state may follow which; publishing supersedes the published version before (in services).
DOCUMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    DocumentState.DRAFT: frozenset({DocumentState.IN_REVIEW}),
    DocumentState.IN_REVIEW: frozenset({DocumentState.APPROVED, DocumentState.DRAFT}),
    DocumentState.APPROVED: frozenset({DocumentState.PUBLISHED, DocumentState.DRAFT}),
    DocumentState.PUBLISHED: frozenset(),
    DocumentState.SUPERSEDED: frozenset(),
}


class ApprovedDocument(models.Model):
    """The approval path every report and plan follows."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        _("state"), max_length=20, choices=DocumentState.choices, default=DocumentState.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.state == DocumentState.DRAFT

    def next_states(self) -> frozenset[str]:
        return DOCUMENT_TRANSITIONS[self.state]


class SurveyReport(ApprovedDocument):
    """The report on customer surveys (EO 12862 §2) for a fiscal year ("FY2026") or quarter ("FY2026 Q1")."""

    period = models.CharField(
        _("period"), max_length=12, help_text=_("A fiscal year (FY2026) or quarter (FY2026 Q1).")
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_es = models.TextField(_("summary in Spanish"), blank=True)
    changes = models.TextField(_("what changed and why"), blank=True)
    changes_es = models.TextField(_("what changed and why, in Spanish"), blank=True)
    actions = models.TextField(_("what we will do"), blank=True)
    actions_es = models.TextField(_("what we will do, in Spanish"), blank=True)
    snapshot = models.JSONField(
        null=True, blank=True, help_text="The figures as they were when the report was issued."
    )

    class Meta:
        ordering = ["-period", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Survey report {self.period}"

    @property
    def is_frozen(self) -> bool:
        return self.snapshot is not None


class QuotedComment(models.Model):
    """A customer's comment that a person read and cleared before the survey report may quote it (EO §2: what
    customers said). Only the text as cleared is kept; the original is identified by a fingerprint, so a comment
    that was left out is not offered again."""

    class Decision(models.TextChoices):
        QUOTED = "quoted", _("Quoted in the report")
        LEFT_OUT = "left_out", _("Left out")

    report = models.ForeignKey(SurveyReport, on_delete=models.CASCADE, related_name="quotes")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    theme = models.CharField(_("theme"), max_length=200)
    fingerprint = models.CharField(max_length=64)
    text = models.TextField(_("the comment as it will be quoted"), blank=True)
    text_es = models.TextField(_("the comment in Spanish"), blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["survey_id", "theme", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "fingerprint"], name="one_decision_per_comment_and_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.theme}"


class PlanSection(models.TextChoices):
    """The sections of the customer service plan (EO 12862 §3), in the order they are printed."""

    SERVICES = "services", _("Our services and who they are for")
    STANDARDS = "standards", _("Our service standards and how we did")
    CHANNELS = "channels", _("How you can reach us")
    COMPLAINTS = "complaints", _("How to complain and what happens next")
    SURVEYS = "surveys", _("How we will ask you about our service")
    BENCHMARKS = "benchmarks", _("How we compare with the best")
    TRAINING = "training", _("How we train our staff")


# The plain-language checklist a section passes before the plan can be approved (plainlanguage.gov).
PLAIN_LANGUAGE_CHECKS = {
    "audience": _("It is written for the customer, who is addressed as “you”."),
    "active": _("It uses the active voice and says who does what."),
    "short": _("Its sentences and paragraphs are short."),
    "common_words": _("It uses common words and explains any term or abbreviation."),
    "action": _("It tells the customer what to do and what to expect."),
}


class ServicePlan(ApprovedDocument):
    """The customer service plan (EO 12862 §3) for a fiscal year, one text per section in English and Spanish."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    version = models.PositiveSmallIntegerField(default=1)
    # {section: {"en": text, "es": text}}; figures the plan shows beside the text are read live from the apps.
    sections = models.JSONField(default=dict, blank=True)
    # {section: [check, ...]} the plain-language checks the author ticked for each section.
    checklist = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "-version", "-pk"]

    def __str__(self) -> str:
        return f"Customer service plan FY{self.fiscal_year} v{self.version}"

    def text(self, section: str, language: str = "en") -> str:
        return str((self.sections.get(section) or {}).get(language, "") or "")

    @property
    def has_spanish(self) -> bool:
        return all(self.text(section, "es").strip() for section in PlanSection.values)


class A11Collection(models.Model):
    """One quarter's A-11 CX data for a High Impact Service's channel and transaction point (Touchpoints' "CX
    collection"): volumes, PRA details, and the responses, from a Touchstone survey or an uploaded file."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGE_REQUESTED = "change_requested", _("Change requested")
        PUBLISHED = "published", _("Published")
        NOT_REPORTED = "not_reported", _("Not reported")

    TRANSITIONS: dict[str, frozenset[str]] = {
        "draft": frozenset({"submitted", "not_reported"}),
        "submitted": frozenset({"published", "change_requested"}),
        "change_requested": frozenset({"submitted", "not_reported"}),
        "published": frozenset(),
        "not_reported": frozenset({"draft"}),
    }

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="a11_collections")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="a11_collections")
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)
    transaction_point = models.CharField(
        _("transaction point"), max_length=30, choices=Survey.TransactionPoint.choices
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="a11_collections"
    )
    volume_of_customers = models.PositiveIntegerField(_("customers served"), null=True, blank=True)
    volume_offered = models.PositiveIntegerField(_("customers offered the survey"), null=True, blank=True)
    volume_of_respondents = models.PositiveIntegerField(_("respondents"), null=True, blank=True)
    omb_control_number = models.CharField(_("OMB control number"), max_length=20, blank=True)
    federal_register_url = models.URLField(_("Federal Register URL"), blank=True)
    # Rows of the per-respondent file when the responses were collected in another tool (the DOMAIN layout).
    uploaded_rows = models.JSONField(default=list, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    reviewer_note = models.TextField(_("reviewer's note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-fiscal_year", "-quarter", "service__name", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "channel", "transaction_point", "fiscal_year", "quarter"],
                name="one_a11_collection_per_service_channel_point_quarter",
            )
        ]

    def __str__(self) -> str:
        return f"A-11 {self.fiscal_quarter.label} {self.service} {self.channel}"

    @property
    def fiscal_quarter(self) -> FiscalQuarter:
        return FiscalQuarter(self.fiscal_year, self.quarter)

    @property
    def due_date(self) -> dt.date:
        """Data are due 30 days after the quarter ends."""
        return self.fiscal_quarter.end + dt.timedelta(days=30)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        open_states = {self.State.DRAFT, self.State.CHANGE_REQUESTED}
        return self.state in open_states and (today or timezone.localdate()) > self.due_date

    def missing(self) -> list[str]:
        """What the collection still lacks, in the words the rating shows."""
        gaps: list[Any] = []
        if self.volume_of_customers is None:
            gaps.append(_("customers served"))
        if self.volume_offered is None:
            gaps.append(_("customers offered the survey"))
        if self.volume_of_respondents is None:
            gaps.append(_("respondents"))
        if not self.omb_control_number:
            gaps.append(_("OMB control number"))
        if not self.federal_register_url:
            gaps.append(_("Federal Register URL"))
        if self.survey_id is None and not self.uploaded_rows:
            gaps.append(_("responses (a survey or an uploaded file)"))
        return [str(gap) for gap in gaps]

    @property
    def rating(self) -> str:
        """green: nothing missing; yellow: one or two things; red: three or more, or no responses at all."""
        gaps = self.missing()
        if not gaps:
            return "green"
        if len(gaps) <= 2 and (self.survey_id is not None or self.uploaded_rows):
            return "yellow"
        return "red"

    def next_states(self) -> frozenset[str]:
        return self.TRANSITIONS[self.state]


class ActionPlan(ApprovedDocument):
    """The yearly A-11 CX action plan and capacity assessment."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    version = models.PositiveSmallIntegerField(default=1)
    capacity_assessment = models.TextField(_("capacity assessment"), blank=True)

    class Meta:
        ordering = ["-fiscal_year", "-version", "-pk"]

    def __str__(self) -> str:
        return f"A-11 action plan FY{self.fiscal_year} v{self.version}"


class ActionGoal(models.Model):
    """A goal for a High Impact Service, the A-11 measure it should move, its owner and date."""

    class Measure(models.TextChoices):
        SATISFACTION = "satisfaction", _("Satisfaction")
        TRUST = "trust", _("Trust")
        EFFECTIVENESS = "effectiveness", _("Effectiveness")
        EASE = "ease", _("Ease")
        EFFICIENCY = "efficiency", _("Efficiency")
        EQUITY = "equity", _("Equity and transparency")
        EMPLOYEE = "employee", _("Employee helpfulness")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="goals")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    goal = models.TextField(_("goal"))
    measure = models.CharField(_("measure it should move"), max_length=20, choices=Measure.choices)
    owner = models.CharField(_("owner"), max_length=150)
    due_date = models.DateField(_("due date"))

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.service}: {self.goal[:40]}"


class ScheduledDelivery(models.Model):
    """A report or export rebuilt on a schedule and sent to the people an admin chose, as a link to the signed-in
    page: the email never carries a figure or a response."""

    class Kind(models.TextChoices):
        SURVEY_REPORT = "survey_report", _("The latest survey report")
        A11_COLLECTIONS = "a11_collections", _("The A-11 quarterly CX data")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="scheduled_deliveries")
    kind = models.CharField(_("what to send"), max_length=20, choices=Kind.choices)
    every_days = models.PositiveSmallIntegerField(_("every how many days"), default=7)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("send to"))
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} every {self.every_days} days"

    def is_due(self, now: dt.datetime) -> bool:
        return self.last_sent_at is None or now - self.last_sent_at >= dt.timedelta(days=self.every_days)
