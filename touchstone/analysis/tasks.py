"""Background refresh of a survey's cached analysis."""

import logging

from django.tasks import task

from touchstone.analysis import services
from touchstone.surveys.models import Survey

logger = logging.getLogger(__name__)


@task()
def refresh_survey_analysis(survey_id: int) -> int:
    """Recompute every cached period of the survey; returns how many were refreshed."""
    survey = (
        Survey.objects.select_related("agency", "current_version", "service").filter(pk=survey_id).first()
    )
    if survey is None:
        return 0
    refreshed = services.refresh_cached_periods(survey)
    logger.info("Refreshed %d analysis period(s) of survey %d", len(refreshed), survey_id)
    if survey.audience == Survey.Audience.CUSTOMERS:
        # The overseer's side-by-side comparison reads the agency's pooled A-11 figures from its summary.
        from touchstone.benchmarks.services import refresh_agency_a11

        refresh_agency_a11(survey.agency)
    return len(refreshed)
