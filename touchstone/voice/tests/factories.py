"""Builders for employee voice tests."""

from typing import Any

from touchstone.core.models import Agency
from touchstone.surveys import services as survey_services
from touchstone.surveys.models import Survey
from touchstone.voice import selectors, services
from touchstone.voice.figures import compute_figures
from touchstone.voice.models import BoardItem, EmployeeComment, VoiceRelease, this_month


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


def release(survey: Survey) -> VoiceRelease:
    """Release what has been answered since the last release, as closing or the schedule would."""
    return services.release_results(actor=None, survey=survey)


def released_comment(survey: Survey, text: str, **fields: Any) -> EmployeeComment:
    """A comment that came in with a release already made (its figures are not needed)."""
    made = VoiceRelease.objects.filter(survey=survey).order_by("-number").first()
    if made is None:
        made = VoiceRelease.objects.create(
            survey=survey,
            number=1,
            released_on=this_month(),
            respondents=10,
            minimum=10,
            figures=compute_figures(selectors.survey_questions(survey), [], [], 10),
        )
    return EmployeeComment.objects.create(
        survey=survey, question_key="barrier", original=text, release=made, **fields
    )


def board_item(agency: Agency, **data: Any) -> BoardItem:
    fields = {"kind": "barrier", "summary": "Forms are slow", "text": "The forms time out.", **data}
    return BoardItem.objects.create(agency=agency, period=this_month(), **fields)
