"""Service standards (EO 12862 §1(c)): the public promise, the transactions it is measured on, and the results.

A standard is versioned: editing it closes the current row (`valid_until`) and opens a new one in the same
`lineage`, so each period keeps being judged by the version that governed it.
"""

import datetime as dt
import re
import uuid

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.core.models import Agency, InSpanishToo

MONTH_LABEL = re.compile(r"\d{4}-\d{2}")  # a monthly period's label, as measured


class StandardType(models.TextChoices):
    TIMELINESS = "timeliness", _("Timeliness")
    ACCESS = "access", _("Access")
    ACCURACY = "accuracy", _("Accuracy")
    AVAILABILITY = "availability", _("Availability")
    SATISFACTION = "satisfaction", _("Satisfaction")
    OTHER = "other", _("Other")


class Measure(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("Elapsed time in calendar days")
    BUSINESS_DAYS = "business_days", _("Elapsed time in business days")
    CALENDAR_HOURS = "calendar_hours", _("Elapsed time in hours")
    BUSINESS_HOURS = "business_hours", _("Elapsed time in business hours")
    MILLISECONDS = "milliseconds", _("Response time in milliseconds")
    OUTCOME = "outcome", _("Yes or no outcome")
    SURVEY = "survey", _("Survey measure")


ELAPSED_MEASURES = frozenset(
    {
        Measure.CALENDAR_DAYS,
        Measure.BUSINESS_DAYS,
        Measure.CALENDAR_HOURS,
        Measure.BUSINESS_HOURS,
        Measure.MILLISECONDS,
    }
)


class ThresholdOp(models.TextChoices):
    AT_MOST = "lte", _("at most")
    LESS_THAN = "lt", _("less than")


class BudgetingMethod(models.TextChoices):
    """OpenSLO's budgeting methods: each transaction counts, or each time slice of the window does."""

    OCCURRENCES = "occurrences", _("Each transaction counts")
    TIMESLICES = "timeslices", _("Share of good time slices")
    RATIO_TIMESLICES = "ratio_timeslices", _("Average of each time slice's share")


# An OpenSLO duration: a whole number and a unit (minute, hour, day, week, month, quarter, year).
WINDOW_DURATION = re.compile(r"^([1-9][0-9]{0,4})([mhdwMQY])$")


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Fiscal quarter")
    FISCAL_YEAR = "fiscal_year", _("Fiscal year")


# The OpenSLO calendar durations that are exactly a reporting period.
PERIOD_DURATIONS: dict[str, tuple[str, ...]] = {
    Period.MONTH: ("1M",),
    Period.QUARTER: ("1Q", "3M"),
    Period.FISCAL_YEAR: ("1Y", "4Q", "12M"),
}


def window_length(duration: str) -> dt.timedelta | None:
    """An OpenSLO duration as a length of time (a month as 30 days, a quarter 91, a year 365); None if unreadable."""
    found = WINDOW_DURATION.match(duration)
    if found is None:
        return None
    days_per = {"d": 1, "w": 7, "M": 30, "Q": 91, "Y": 365}
    count, unit = int(found.group(1)), found.group(2)
    if unit == "m":
        return dt.timedelta(minutes=count)
    if unit == "h":
        return dt.timedelta(hours=count)
    return dt.timedelta(days=count * days_per[unit])


class Verdict(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NO_DATA = "no_data", _("No data")
    # The period has not ended: its counts so far are shown, but it is judged only once it is complete.
    IN_PROGRESS = "pending", pgettext_lazy("period", "In progress")


class ServiceStandard(InSpanishToo, models.Model):
    """One version of a standard. The current version has `valid_until` empty."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="standards")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="standards"
    )
    channel = models.CharField(
        _("channel"),
        max_length=30,
        choices=Channel.choices,
        blank=True,
        help_text=_("Leave empty when the standard covers every channel."),
    )
    statement = models.TextField(
        _("the standard, in plain language"),
        help_text=_("For example: “We answer calls within 60 seconds, 90% of the time.”"),
    )
    statement_es = models.TextField(_("the standard, in Spanish"), blank=True)
    standard_type = models.CharField(
        _("type"), max_length=20, choices=StandardType.choices, default=StandardType.TIMELINESS
    )
    measure = models.CharField(_("how it is measured"), max_length=20, choices=Measure.choices)
    threshold = models.FloatField(
        _("threshold"),
        null=True,
        blank=True,
        help_text=_("For elapsed time: the most days or hours a transaction may take to meet the standard."),
    )
    survey_measure = models.CharField(
        _("survey measure"),
        max_length=300,
        blank=True,
        help_text=_("For a survey measure: which survey and item, and what counts as meeting the standard."),
    )
    target = models.FloatField(
        _("target share"),
        null=True,
        help_text=_("The share of transactions that must meet it, between 0 and 1."),
    )
    period = models.CharField(_("period"), max_length=20, choices=Period.choices, default=Period.MONTH)
    threshold_op = models.CharField(
        _("comparison"), max_length=3, choices=ThresholdOp.choices, default=ThresholdOp.AT_MOST
    )
    # The time window the target is judged over, as OpenSLO writes it ("28d", "2w", "1M"); empty: the period.
    window_duration = models.CharField(_("time window"), max_length=8, blank=True)
    window_is_rolling = models.BooleanField(_("rolling window"), default=False)
    budgeting_method = models.CharField(
        _("budgeting method"),
        max_length=20,
        choices=BudgetingMethod.choices,
        default=BudgetingMethod.OCCURRENCES,
    )
    timeslice_target = models.FloatField(_("share of each time slice"), null=True, blank=True)
    timeslice_window = models.CharField(_("time slice"), max_length=8, blank=True)
    valid_from = models.DateField(
        _("effective date"), help_text=_("The first day of a period: this version governs from then on.")
    )
    valid_until = models.DateField(_("governs until"), null=True, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_standards",
        help_text=_("Told by email when the standard burns its error budget too fast."),
    )
    external_id = models.CharField(_("identifier in another system"), max_length=60, blank=True)
    source = models.CharField(max_length=30, blank=True, default="defined")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service__name", "statement", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="one_row_per_standard_version"),
            models.CheckConstraint(
                condition=models.Q(target__isnull=True) | models.Q(target__gte=0, target__lte=1),
                name="target_is_share",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "valid_until"]),
            models.Index(fields=["agency", "external_id"]),
        ]

    def __str__(self) -> str:
        return self.statement[:120]

    @property
    def display_label(self) -> str:
        return self.display_statement[:120]

    @property
    def is_current(self) -> bool:
        return self.valid_until is None

    @property
    def is_elapsed(self) -> bool:
        return self.measure in ELAPSED_MEASURES

    @property
    def threshold_display(self) -> str:
        """The time limit as a person says it: "20 minutes", not "0.33" hours."""
        from touchstone.core import numbers

        if self.threshold is None:
            return ""
        value = float(self.threshold)
        plural = 1 if value == 1 else 2  # ngettext counts in whole numbers: 1.5 days is plural
        if self.measure in (Measure.CALENDAR_HOURS, Measure.BUSINESS_HOURS):
            if value < 1:
                minutes = round(value * 60)
                return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
            unit = (
                ngettext("hour", "hours", plural)
                if self.measure == Measure.CALENDAR_HOURS
                else ngettext("business hour", "business hours", plural)
            )
        elif self.measure == Measure.CALENDAR_DAYS:
            unit = ngettext("calendar day", "calendar days", plural)
        elif self.measure == Measure.BUSINESS_DAYS:
            unit = ngettext("business day", "business days", plural)
        elif self.measure == Measure.MILLISECONDS:
            unit = ngettext("millisecond", "milliseconds", plural)
        else:
            return numbers.decimal(value, 2)
        return f"{numbers.decimal(value, 2)} {unit}"

    @property
    def is_measured_from_transactions(self) -> bool:
        """Transactions are counted one by one: a time-sliced budget needs the tool that slices time."""
        return self.budgeting_method == BudgetingMethod.OCCURRENCES and (
            self.measure in ELAPSED_MEASURES or self.measure == Measure.OUTCOME
        )

    @property
    def has_own_window(self) -> bool:
        """The target is judged over a window other than the reporting period (rolling, or of another length)."""
        return bool(self.window_duration) and (
            self.window_is_rolling or self.window_duration not in PERIOD_DURATIONS.get(self.period, ())
        )

    @property
    def error_budget(self) -> float | None:
        """The share of transactions allowed to miss: 1 - target (None when no target was published)."""
        return None if self.target is None else 1 - self.target

    def governs(self, period_start: dt.date) -> bool:
        return self.valid_from <= period_start and (
            self.valid_until is None or period_start <= self.valid_until
        )

    def judge(self, met: int | None, total: int | None) -> str:
        """Met when the share of transactions meeting the standard reaches the target; no data without volume."""
        if met is None or not total or self.target is None:
            return Verdict.NO_DATA
        return Verdict.MET if met / total >= self.target - 1e-12 else Verdict.NOT_MET


class TransactionFile(models.Model):
    """What one Parquet file of the transaction store holds of one month: the manifest readers trust.

    A file counts once its rows are committed and stops counting when they are retired (a later load replaced some
    of its transactions and wrote what was left to a new file). The folder itself is never listed.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    batch = models.UUIDField(editable=False)
    month = models.DateField(
        help_text="First day of a local month some of the file's transactions started in."
    )
    path = models.CharField(max_length=300, help_text="Relative to TRANSACTION_STORE.")
    rows = models.BigIntegerField(help_text="Transactions of this month in the file.")
    service_ids = models.JSONField(default=list)
    last_ended = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "retired_at", "month"], name="transaction_file_live"),
            models.Index(fields=["retired_at"], name="transaction_file_retired"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["path", "month"], name="one_row_per_transaction_file_month")
        ]

    def __str__(self) -> str:
        return self.path


class PeriodResult(models.Model):
    """A standard's result for one period: measured from transactions, or imported from published figures."""

    class Source(models.TextChoices):
        MEASURED = "measured", _("Measured from transactions")
        IMPORTED = "imported", _("Imported published figures")

    standard = models.ForeignKey(ServiceStandard, on_delete=models.CASCADE, related_name="results")
    period_start = models.DateField()
    period_end = models.DateField()
    label = models.CharField(max_length=30)
    volume_met = models.BigIntegerField(null=True, blank=True)
    total = models.BigIntegerField(null=True, blank=True)
    performance = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.NO_DATA)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MEASURED)
    published_performance = models.FloatField(null=True, blank=True)
    published_met = models.CharField(max_length=3, blank=True)
    discrepancy = models.BooleanField(default=False)
    discrepancy_note = models.CharField(max_length=300, blank=True)
    measured_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "period_start"], name="one_result_per_period")
        ]
        indexes = [models.Index(fields=["discrepancy", "standard"])]

    def __str__(self) -> str:
        return f"{self.standard} {self.label}"

    @property
    def display_label(self) -> str:
        """The period as a reader says it: a month by name in the page's language ("October 2026", "octubre de
        2026"); a fiscal quarter or year as agencies write it ("FY2026 Q1")."""
        if MONTH_LABEL.fullmatch(self.label):
            return str(date_format(self.period_start, "YEAR_MONTH_FORMAT"))
        return self.label

    @property
    def met(self) -> bool | None:
        return None if self.verdict in (Verdict.NO_DATA, Verdict.IN_PROGRESS) else self.verdict == Verdict.MET

    @property
    def in_progress(self) -> bool:
        return self.verdict == Verdict.IN_PROGRESS

    @property
    def missed(self) -> int | None:
        if self.total is None or self.volume_met is None:
            return None
        return max(0, self.total - self.volume_met)

    @property
    def budget_spent(self) -> float | None:
        """Share of the period's error budget used: misses / allowed misses (1.0 = all of it)."""
        if self.missed is None or not self.total or self.standard.target is None:
            return None
        allowed = (1 - self.standard.target) * self.total
        if allowed <= 0:
            return None if self.missed == 0 else float("inf")
        return self.missed / allowed


class BurnRateAlert(models.Model):
    """The standard spent its error budget too fast over both windows of a pair (DOMAIN.md §3)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey(ServiceStandard, on_delete=models.CASCADE, related_name="alerts")
    raised_at = models.DateTimeField()
    long_window = models.CharField(max_length=10)
    short_window = models.CharField(max_length=10)
    threshold = models.FloatField()
    long_rate = models.FloatField()
    short_rate = models.FloatField()
    notified = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["agency", "-raised_at"])]

    def __str__(self) -> str:
        return f"{self.standard}: burn {self.long_rate:.1f} over {self.long_window}"
