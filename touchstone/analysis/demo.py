"""The demo's customer surveys queued for analysis, so the workspace home shows their results from the start."""

from touchstone.analysis import selectors, services
from touchstone.analysis.models import ALL_PERIODS
from touchstone.core.models import Agency
from touchstone.surveys.models import Survey


def analyse_demo_surveys(agency: Agency) -> None:
    """Queue the analysis of each customer survey not analysed yet: the task worker computes it in the
    background, as it does when responses arrive, so loading the demo stays quick."""
    for survey in selectors.surveys_to_analyse(agency).filter(audience=Survey.Audience.CUSTOMERS):
        if selectors.cached_result(survey, ALL_PERIODS, 0) is None:
            services.enqueue_refresh(survey)
