"""The survey page's buttons and counts lead where they say."""

import re

from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.surveys import services
from touchstone.surveys.tests.factories import published_survey
from touchstone.voice.models import DEFAULT_MINIMUM_GROUP
from touchstone.voice.tests.factories import answer, employee_survey, release


def survey_page(personas: Personas, survey: object) -> str:
    url = reverse("manage:surveys:survey", args=[personas.agency_a.slug, survey.pk])  # type: ignore[attr-defined]
    return personas.client(personas.analyst_a).get(url).content.decode()


def test_the_analysis_button_opens_that_surveys_analysis(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, title="Passport renewal")
    page = survey_page(personas, survey)
    link = re.search(r'<a class="usa-button[^"]*" href="([^"]+)">Analysis</a>', page)
    assert link is not None
    assert link.group(1) == reverse("manage:analysis:survey", args=[personas.agency_a.slug, survey.pk])
    analysis = personas.client(personas.analyst_a).get(link.group(1)).content.decode()
    assert "Analysis: Passport renewal" in analysis


def test_a_draft_survey_shows_no_broken_qr_image(personas: Personas) -> None:
    draft = services.create_survey(
        actor=None, agency=personas.agency_a, data={"title": "Not yet"}, blueprint="a11-v1"
    )
    page = survey_page(personas, draft)
    assert reverse("portal_surveys:qr", args=[draft.short_code]) not in page
    assert "The QR code appears once the survey is published" in page


def test_a_published_surveys_qr_image_loads(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    qr = reverse("portal_surveys:qr", args=[survey.short_code])
    assert qr in survey_page(personas, survey)
    assert personas.client(None).get(qr)["Content-Type"] == "image/svg+xml"


def test_an_employee_survey_counts_the_same_released_answers_in_surveys_as_in_employee_voice(
    personas: Personas,
) -> None:
    survey = employee_survey(personas.agency_a)

    def listed() -> str:
        listing = personas.client(personas.analyst_a).get(
            reverse("manage:surveys:list", args=[personas.agency_a.slug])
        )
        return listing.content.decode().split(survey.title, 1)[1].split("</tr>", 1)[0]

    for _ in range(DEFAULT_MINIMUM_GROUP):
        answer(survey)
    # Before a release nothing moves: a live count would tell who answered when.
    assert "<td>0</td>" in listed()
    release(survey)
    assert f"<td>{DEFAULT_MINIMUM_GROUP}</td>" in listed()
    assert f"{DEFAULT_MINIMUM_GROUP} responses" in survey_page(personas, survey)
