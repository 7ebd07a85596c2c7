"""Objects of agency A for every id the survey workspace URLs take."""

from typing import Any

from touchstone.surveys.models import Invitation
from touchstone.surveys.tests.factories import published_survey


def samples(personas: Any) -> dict[str, Any]:
    survey = published_survey(personas.agency_a)
    response = survey.responses.create(version=survey.current_version, answers={"satisfaction": 4})
    invitation = Invitation.objects.create(
        survey=survey, email="someone@example.com", token_hash=Invitation.new_token()[1]
    )
    return {
        "survey_id": survey.pk,
        "question_id": survey.questions.first().pk,
        "response_id": response.pk,
        "invitation_id": invitation.pk,
        "page_id": survey.pages.first().pk,
    }
