"""Objects of agency A for every id the employee voice workspace URLs take."""

from typing import Any

from touchstone.voice.models import EmployeeComment
from touchstone.voice.tests.factories import board_item, employee_survey


def samples(personas: Any) -> dict[str, Any]:
    survey = employee_survey(personas.agency_a)
    comment = EmployeeComment.objects.create(survey=survey, question_key="barrier", original="Too slow.")
    return {
        "employee_survey_id": survey.pk,
        "comment_id": comment.pk,
        "board_item_id": board_item(personas.agency_a).pk,
    }
