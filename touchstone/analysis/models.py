"""A survey's weighting setup, and its analysis cached per period and weighting version."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from touchstone.surveys.models import Survey

ALL_PERIODS = "all"
# Respondent fields a survey can be weighted on; the value of each is the code the margins name.
WEIGHTING_VARIABLES = {
    "channel": _("Channel"),
    "service": _("Service"),
    "language": _("Language"),
    "location": _("Location"),
    "office": _("Office"),
}
REFRESH_AFTER = dt.timedelta(minutes=1)


class WeightingScheme(models.Model):
    """How a survey's respondents are weighted to the population: raking or post-stratification to margins.

    `margins` maps each variable to its population totals by category, e.g. {"channel": {"website": 4500}}.
    Each save raises `version`, so cached results of an older setup are not read by mistake.
    """

    class Method(models.TextChoices):
        RAKE = "rake", _("Rake to each margin (iterative proportional fitting)")
        POSTSTRATIFY = "poststratify", _("Post-stratify on one variable")

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="weighting")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.RAKE)
    margins = models.JSONField(_("population margins"), default=dict)
    active = models.BooleanField(_("apply on the analysis pages"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return f"Weighting of {self.survey} v{self.version}"

    @property
    def variables(self) -> list[str]:
        return list(self.margins)

    @property
    def applied_version(self) -> int:
        """The weighting version results are cached under: 0 when the survey is analysed unweighted."""
        return self.version if self.active and self.margins else 0


class AnalysisResult(models.Model):
    """Everything the analysis pages show for a survey and period, computed in the background and read as is."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="analysis_results")
    period = models.CharField(max_length=20, default=ALL_PERIODS)  # "all" or a fiscal quarter "FY2026 Q1"
    weighting_version = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    response_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "period", "weighting_version"], name="one_analysis_per_period_and_weighting"
            )
        ]

    def __str__(self) -> str:
        return f"Analysis of {self.survey} {self.period} (weighting v{self.weighting_version})"

    def is_due(self, now: dt.datetime | None = None) -> bool:
        """Responses that arrive within a minute of the last refresh wait for the next one."""
        return (now or timezone.now()) - self.computed_at >= REFRESH_AFTER

    def section(self, name: str) -> Any:
        return self.data.get(name)
