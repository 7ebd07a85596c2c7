"""Responses arriving queue a refresh of the survey's analysis, at most about once a minute, never blocking."""

import logging
import time
from typing import Any

from touchstone.analysis.models import ALL_PERIODS, AnalysisResult
from touchstone.surveys.models import Response

logger = logging.getLogger(__name__)

# Survey id -> when this process last looked: the submission path, the hottest in the product, then skips
# the cache lookup for a minute, so most submissions pay nothing for analysis.
_last_checked: dict[int, float] = {}
CHECK_EVERY_SECONDS = 60.0


def response_saved(sender: type[Response], instance: Response, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    now = time.monotonic()
    if now - _last_checked.get(instance.survey_id, -CHECK_EVERY_SECONDS) < CHECK_EVERY_SECONDS:
        return
    _last_checked[instance.survey_id] = now
    try:
        latest = (
            AnalysisResult.objects.filter(survey_id=instance.survey_id, period=ALL_PERIODS)
            .order_by("-computed_at")
            .values_list("computed_at", flat=True)
            .first()
        )
        if latest is not None and not AnalysisResult(computed_at=latest).is_due():
            return
        from django.db import transaction

        from touchstone.analysis.tasks import refresh_survey_analysis

        survey_id = instance.survey_id
        transaction.on_commit(lambda: _enqueue(refresh_survey_analysis, survey_id))
    except Exception:  # the submission must never fail because analysis could not be queued
        logger.exception("Could not queue an analysis refresh for survey %s", instance.survey_id)


def _enqueue(task: Any, survey_id: int) -> None:
    try:
        task.enqueue(survey_id)
    except Exception:
        logger.exception("Analysis refresh of survey %s failed", survey_id)
