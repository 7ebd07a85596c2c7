"""Objects of agency A for every id the employee voice workspace URLs take."""

from typing import Any

from touchstone.voice import services
from touchstone.voice.tests.factories import board_item, employee_survey, released_comment


def samples(personas: Any) -> dict[str, Any]:
    survey = employee_survey(personas.agency_a)
    comment = released_comment(survey, "Too slow.")
    send = services.send_links(actor=personas.analyst_a, survey=survey, emails=["pat@example.gov"]).request
    assert send is not None
    return {
        "employee_survey_id": survey.pk,
        "comment_id": comment.pk,
        "send_request_id": send.pk,
        "board_item_id": board_item(personas.agency_a).pk,
    }
