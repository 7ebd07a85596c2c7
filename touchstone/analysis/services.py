"""Every write of survey analysis: refreshing the cached results, and saving a survey's weighting setup."""

import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from touchstone.analysis import computation, selectors
from touchstone.analysis.models import ALL_PERIODS, AnalysisResult, WeightingScheme
from touchstone.core import audit
from touchstone.core.models import User
from touchstone.surveys.models import Survey


def compute(survey: Survey, period: str, scheme: WeightingScheme | None) -> dict[str, Any]:
    version = survey.current_version
    questions = version.questions() if version else []
    frame = selectors.response_frame(survey, period)
    return computation.analyse(
        questions,
        frame,
        minimum=survey.minimum_to_show,
        counts=selectors.response_counts(survey, period),
        dispositions=selectors.dispositions_of(survey),
        weighting=selectors.weighting_setup(scheme),
    )


def refresh_analysis(survey: Survey, period: str = ALL_PERIODS) -> AnalysisResult:
    """Recompute the survey's analysis for the period under its current weighting and store it."""
    period = selectors.normalise_period(period)
    scheme = selectors.weighting_of(survey)
    began = time.perf_counter()
    data = compute(survey, period, scheme)
    result, _created = AnalysisResult.objects.update_or_create(
        survey=survey,
        period=period,
        weighting_version=scheme.applied_version if scheme else 0,
        defaults={
            "data": data,
            "response_count": data["counts"]["analysed"],
            "computed_at": timezone.now(),
            "seconds": time.perf_counter() - began,
        },
    )
    return result


def refresh_cached_periods(survey: Survey) -> list[AnalysisResult]:
    """Refresh "all" and every period already cached under the current weighting."""
    scheme = selectors.weighting_of(survey)
    version = scheme.applied_version if scheme else 0
    periods = set(
        AnalysisResult.objects.filter(survey=survey, weighting_version=version).values_list(
            "period", flat=True
        )
    )
    periods.add(ALL_PERIODS)
    # A fiscal year's analysis ("FY2026", kept by the survey report) checks its own freshness when it is read.
    periods = {period for period in periods if period == ALL_PERIODS or " Q" in period}
    return [refresh_analysis(survey, period) for period in sorted(periods)]


def enqueue_refresh(survey: Survey) -> None:
    """Refresh in the background once the current transaction commits."""
    from touchstone.analysis.tasks import refresh_survey_analysis

    transaction.on_commit(lambda: refresh_survey_analysis.enqueue(survey.pk))


@transaction.atomic
def save_weighting(
    *, actor: User | None, survey: Survey, method: str, margins: dict[str, dict[str, float]]
) -> WeightingScheme:
    """Save the survey's weighting (raising its version), apply it on the analysis pages, and refresh them."""
    scheme = WeightingScheme.objects.select_for_update().filter(survey=survey).first()
    if scheme is None:
        scheme = WeightingScheme(survey=survey, version=1)
    else:
        scheme.version += 1
    scheme.method = method
    scheme.margins = margins
    scheme.active = True
    scheme.updated_by = actor
    scheme.save()
    audit.record(
        actor=actor,
        action="analysis.weighting_saved",
        target=scheme,
        agency=survey.agency,
        changes={"method": method, "margins": margins, "version": scheme.version},
    )
    enqueue_refresh(survey)
    return scheme


@transaction.atomic
def stop_weighting(*, actor: User | None, survey: Survey) -> WeightingScheme | None:
    scheme = WeightingScheme.objects.select_for_update().filter(survey=survey).first()
    if scheme is None or not scheme.active:
        return scheme
    scheme.active = False
    scheme.updated_by = actor
    scheme.save(update_fields=["active", "updated_by", "updated_at"])
    audit.record(
        actor=actor, action="analysis.weighting_stopped", target=scheme, agency=survey.agency, changes={}
    )
    enqueue_refresh(survey)
    return scheme
