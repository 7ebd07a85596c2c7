"""The drivers and themes views find what the demo planted: ease and efficiency drive satisfaction; comments
carry themes about waiting, the website, staff and letters."""

from touchstone.analysis import selectors
from touchstone.catalog.models import Service
from touchstone.conftest import Personas
from touchstone.surveys.demo import load_surveys_demo
from touchstone.surveys.models import Survey


def test_the_demo_survey_shows_its_planted_drivers_and_comment_themes(personas: Personas) -> None:
    Service.objects.create(agency=personas.agency_a, name="Replace a card", slug="replace-card")
    load_surveys_demo(personas.agency_a)
    survey = Survey.objects.get(agency=personas.agency_a, title__startswith="How did we do?")
    result = selectors.analysis_of(survey)
    ranking = [row["measure"] for row in result.data["drivers"]["drivers"]]
    assert set(ranking[:2]) == {"ease", "efficiency"}
    labels = " ".join(theme["label"] for theme in result.data["themes"]["themes"])
    assert "wait" in labels or "hold" in labels
    assert "website" in labels or "online" in labels
    client = personas.client(personas.viewer_a)
    for name in ("survey", "drivers", "themes"):
        page = client.get(
            f"/manage/{personas.agency_a.slug}/analysis/{survey.pk}/{'' if name == 'survey' else name + '/'}"
        )
        assert page.status_code == 200
