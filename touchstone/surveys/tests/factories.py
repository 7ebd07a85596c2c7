"""Builders for survey tests."""

import datetime as dt
from typing import Any

from touchstone.core.models import Agency
from touchstone.surveys import services
from touchstone.surveys.models import Survey


def published_survey(agency: Agency, blueprint: str = "a11-v1", **data: Any) -> Survey:
    fields = {
        "title": f"Survey {blueprint}",
        "omb_control_number": "1090-0011",
        "omb_expiration_date": dt.date.today() + dt.timedelta(days=365),
        **data,
    }
    survey = services.create_survey(actor=None, agency=agency, data=fields, blueprint=blueprint)
    services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    return survey
