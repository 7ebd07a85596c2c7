"""Builders for employee voice tests."""

from typing import Any

from touchstone.core.models import Agency
from touchstone.surveys import services as survey_services
from touchstone.surveys.models import Survey
from touchstone.voice import services
from touchstone.voice.models import BoardItem, this_month


def employee_survey(agency: Agency, *, publish: bool = True, title: str = "How is work going?") -> Survey:
    survey = services.create_employee_survey(actor=None, agency=agency, title=title)
    if publish:
        survey_services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    survey.refresh_from_db()
    return survey


def answer(survey: Survey, **answers: Any) -> None:
    """Answer through a fresh one-use link, exactly as an employee would."""
    token = services.new_link(survey)
    services.submit_answers(token=token, raw={"engaged": "4", "heard": "4", **answers})


def board_item(agency: Agency, **data: Any) -> BoardItem:
    fields = {"kind": "barrier", "summary": "Forms are slow", "text": "The forms time out.", **data}
    return BoardItem.objects.create(agency=agency, period=this_month(), **fields)
