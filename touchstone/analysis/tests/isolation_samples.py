"""Objects of agency A for every id the analysis workspace URLs take."""

from typing import Any

from touchstone.surveys.tests.factories import published_survey


def samples(personas: Any) -> dict[str, Any]:
    return {"survey_id": published_survey(personas.agency_a).pk}
