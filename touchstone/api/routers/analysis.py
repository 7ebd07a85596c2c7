"""API of survey analysis: design-based estimates from an uploaded CSV, and a survey's cached analysis."""

import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from ninja import File, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from touchstone.analysis import selectors as analysis_selectors
from touchstone.analysis.estimates import estimate_from_form
from touchstone.api import auth
from touchstone.stats.estimate_cli import EstimateInputError
from touchstone.surveys import selectors as survey_selectors

router = Router(tags=["Survey analysis"])


@router.post("/analysis/estimate", auth=auth.read)
def estimate(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Means, totals and proportions with SEs and intervals from a CSV, as `manage.py survey_estimate` gives.

    Send the CSV as `file` and the options as form fields named like the command's: `ids`, `strata`, `weights`,
    `fpc`, `mean`, `total`, `proportion`, `rake`, `poststratify`, `replicates` (jk1, jkn, bootstrap), `level`,
    `interval`, `lonely_psu`, `nest`. Repeat a field (or separate with commas for ids and fpc) for several values.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(file.name or "upload.csv").name
        with path.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        try:
            return estimate_from_form(str(path), request.POST)
        except EstimateInputError as error:
            raise HttpError(400, str(error)) from error


@router.get("/surveys/{survey_id}/analysis", auth=auth.read)
def survey_analysis(request: HttpRequest, survey_id: int, period: str = "all") -> dict[str, Any]:
    """The survey's analysis for a period ("all" or a fiscal quarter such as "FY2026 Q1"), from the cache."""
    survey = survey_selectors.survey_of(auth.token_of(request).agency, survey_id)
    try:
        result = analysis_selectors.analysis_of(survey, period)
    except ValueError as error:
        raise HttpError(400, str(error)) from error
    data = analysis_selectors.readable_analysis(survey, result.data)
    return {"survey": survey.pk, "period": result.period, "as_of": result.computed_at, **data}
