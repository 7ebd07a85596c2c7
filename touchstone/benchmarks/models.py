"""The benchmark library: where a figure comes from, what it measures, on what scale, for whom.

A benchmark with no agency is shared by every agency (the public facts shipped with Touchstone and the Government
of Canada peer set); one with an agency is that agency's own or licensed data it imported, seen by it alone.
Which benchmarks are "comparable or analogous" to a service is a choice the agency makes (`ChosenBenchmark`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from touchstone.core.models import Agency
from touchstone.stats import benchmarks as stats


class Measure(models.TextChoices):
    SATISFACTION_INDEX = "satisfaction_index", _("Satisfaction index")
    SATISFACTION_TOP2 = "satisfaction_top2", _("Satisfied (top-2-box)")
    TRUST = "trust", _("Trust")
    NPS = "nps", _("Net Promoter Score")
    ANSWER_TIME = "answer_time", _("Answer time")
    PROCESSING_TIME = "processing_time", _("Processing time")
    RESOLUTION_TIME = "resolution_time", _("Resolution time")
    COMPLETION_RATE = "completion_rate", _("Completion rate")
    DIGITAL_TAKE_UP = "digital_take_up", _("Digital take-up")
    COST_PER_TRANSACTION = "cost_per_transaction", _("Cost per transaction")
    STANDARD_MET = "standard_met", _("Transactions within the service standard")


# Measures where a smaller number is better.
LOWER_IS_BETTER = frozenset(
    {Measure.ANSWER_TIME, Measure.PROCESSING_TIME, Measure.RESOLUTION_TIME, Measure.COST_PER_TRANSACTION}
)
# Satisfaction in its several forms reads on one scale, so an index and a top-2-box share can be set side by side.
SATISFACTION = frozenset({Measure.SATISFACTION_INDEX, Measure.SATISFACTION_TOP2})


class Scale(models.TextChoices):
    INDEX_100 = "index_100", _("Index from 0 to 100")
    FIVE_POINT = "five_point", _("Mean on a 5-point scale")
    SHARE = "share", _("Share from 0 to 1")
    DAYS = "days", _("Days")
    HOURS = "hours", pgettext_lazy("unit of time", "Hours")
    SECONDS = "seconds", _("Seconds")
    DOLLARS = "dollars", _("Dollars")


CONVERTIBLE = frozenset({Scale.INDEX_100, Scale.FIVE_POINT, Scale.SHARE})
# How each scale becomes a share, as a reader sees it (stats/ keeps the same rule, in English, without Django).
CONVERSION_METHODS = {
    Scale.INDEX_100: _("value ÷ 100"),
    Scale.FIVE_POINT: _("(mean − 1) ÷ 4"),
    Scale.SHARE: _("as published"),
}


class Sector(models.TextChoices):
    FEDERAL = "federal", _("U.S. federal government")
    PRIVATE = "private", _("Private sector")
    PEER_GOVERNMENT = "peer_government", _("Another government")
    OWN = "own", _("This agency")


class Origin(models.TextChoices):
    PUBLIC_FACT = "public_fact", _("Public fact shipped with Touchstone")
    PEER_SET = "peer_set", _("Peer set")
    OWN = "own", _("Agency's own")
    LICENSED = "licensed", _("Licensed, imported")


class BenchmarkSource(models.Model):
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="benchmark_sources"
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    publication = models.CharField(_("publication"), max_length=300)
    year = models.PositiveIntegerField(_("year published"))
    url = models.URLField(_("web address"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)

    class Meta:
        ordering = ["organisation", "-year"]

    def __str__(self) -> str:
        return f"{self.organisation}, {self.publication} ({self.year})"


class Benchmark(models.Model):
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="benchmarks"
    )
    source = models.ForeignKey(BenchmarkSource, on_delete=models.PROTECT, related_name="benchmarks")
    origin = models.CharField(max_length=20, choices=Origin.choices)
    key = models.SlugField(
        max_length=120, help_text="Stable name, so a reload updates rather than duplicates."
    )
    label = models.CharField(_("name"), max_length=300)
    measure = models.CharField(_("measure"), max_length=30, choices=Measure.choices)
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices)
    value = models.FloatField(_("value"))
    standard_error = models.FloatField(_("standard error"), null=True, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    population = models.CharField(_("population"), max_length=300)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    service_kind = models.CharField(_("kind of service"), max_length=100, blank=True)
    standard_type = models.CharField(_("standard type"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=30, blank=True)
    year = models.PositiveIntegerField(_("year measured"))

    class Meta:
        ordering = ["measure", "-year", "label"]
        constraints = [models.UniqueConstraint(fields=["agency", "key"], name="one_benchmark_per_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def higher_is_better(self) -> bool:
        return self.measure not in LOWER_IS_BETTER

    @property
    def on_common_scale(self) -> float | None:
        return stats.to_common(self.value, self.scale) if self.scale in CONVERTIBLE else None

    @property
    def se_on_common_scale(self) -> float | None:
        return stats.se_to_common(self.standard_error, self.scale) if self.scale in CONVERTIBLE else None

    @property
    def conversion(self) -> str:
        return str(CONVERSION_METHODS[Scale(self.scale)]) if self.scale in CONVERTIBLE else ""

    def citation(self) -> str:
        return f"{self.source}; {self.population}; {self.get_scale_display()}"


class ChosenBenchmark(models.Model):
    """An agency's choice: this benchmark is comparable or analogous to its services."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="chosen_benchmarks")
    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="choices")
    # Empty: comparable to every service of the agency; set: to this service only.
    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("service"),
    )
    show_publicly = models.BooleanField(_("show beside public service pages"), default=False)
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "benchmark", "service"], name="choose_a_benchmark_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency} chose {self.benchmark}"


class AgencySummary(models.Model):
    """An agency's figures for the overseer's side-by-side comparison, worked out in the background (by the analysis
    task when a customer survey's analysis is refreshed, and on the schedule) so the page reads one row per agency.

    `a11` maps each A-11 measure to {"value", "se", "n", "surveys"}: the share agreeing pooled over the agency's
    customer surveys (each survey's figure as its analysis shows it, weighted when a weighting applies)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="oversight_summary")
    a11 = models.JSONField(default=dict, blank=True)
    complaints_met = models.PositiveIntegerField(default=0)  # closed within the policy's deadline
    complaints_decided = models.PositiveIntegerField(default=0)  # closed, or past the deadline still open
    gaps_ahead = models.PositiveIntegerField(default=0)
    gaps_behind = models.PositiveIntegerField(default=0)
    gaps_within_noise = models.PositiveIntegerField(default=0)
    gaps_without_benchmark = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Summary of {self.agency} as of {self.computed_at:%Y-%m-%d %H:%M}"
