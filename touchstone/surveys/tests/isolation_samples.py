"""Objects of agency A for every id the survey workspace URLs take."""

from typing import Any

from touchstone.surveys.models import Invitation, KioskDevice, KnownNetwork
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
        "kiosk_id": KioskDevice.objects.create(
            survey=survey, name="Lobby tablet", token_hash=KioskDevice.hash_token("isolation")
        ).pk,
        "network_id": KnownNetwork.objects.create(
            agency=personas.agency_a, network="198.51.100.0/24", label="Field office"
        ).pk,
        "language": "es",
    }
