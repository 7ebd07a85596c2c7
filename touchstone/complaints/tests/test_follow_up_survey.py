"""The follow-up after closing is an instrument of the surveys capability: its answers are survey responses too."""

import datetime as dt

from touchstone.complaints import services
from touchstone.complaints.models import Case, SatisfactionFollowUp
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas
from touchstone.surveys import services as survey_services
from touchstone.surveys.models import Response, Survey


def close_and_answer(personas: Personas) -> None:
    case = file_case(personas)
    services.close_case(
        actor=personas.handler_a,
        case=case,
        outcome=Case.Outcome.EXPLANATION,
        response="We paid you on Friday.",
    )
    follow_up = SatisfactionFollowUp.objects.get(case=case)
    services.answer_follow_up(follow_up=follow_up, resolved=True, satisfaction=4)


def test_an_answer_becomes_a_survey_response_once_the_follow_up_survey_is_published(
    personas: Personas,
) -> None:
    survey = services.follow_up_survey(personas.agency_a)
    assert survey.template == "complaint-follow-up" and survey.status == Survey.Status.DRAFT
    close_and_answer(personas)
    assert not Response.objects.exists()  # a draft survey, without its OMB clearance, does not collect
    survey_services.update_survey(
        actor=None,
        survey=survey,
        data={
            "omb_control_number": "1090-0011",
            "omb_expiration_date": dt.date.today() + dt.timedelta(days=200),
        },
    )
    survey_services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    close_and_answer(personas)
    response = Response.objects.get(survey=survey)
    assert response.answers == {"resolved": "yes", "handling_satisfaction": 4}
    assert (response.channel, response.source) == ("website", "email")
    assert services.follow_up_survey(personas.agency_a).pk == survey.pk
