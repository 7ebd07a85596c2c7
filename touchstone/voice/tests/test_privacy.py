"""Optional differential privacy: OpenDP's geometric noise on every released count, a budget per survey spent per
release and shown on screen, and intervals that account for the noise."""

import json
import math
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry
from touchstone.surveys.models import Survey
from touchstone.voice import selectors, services
from touchstone.voice.privacy import Noise, histograms_in_release
from touchstone.voice.tests.factories import answer, employee_survey, release


def url(name: str, personas: Personas, *args: Any) -> str:
    return reverse(f"manage:voice:{name}", args=[personas.agency_a.slug, *args])


def answered(survey: Survey, count: int = 40) -> None:
    for number in range(count):
        answer(survey, tenure="under2" if number % 2 else "2to10", engaged="5" if number % 4 < 2 else "2")


@pytest.fixture
def private(personas: Personas) -> Survey:
    survey = employee_survey(personas.agency_a)
    response = personas.client(personas.analyst_a).post(
        url("survey-releases", personas, survey.pk),
        {"release_every_days": "", "privacy_budget": "100", "epsilon_per_release": "50"},
    )
    assert response.status_code == 302
    return survey


def test_the_noise_is_opendps_geometric_mechanism_at_the_release_share_of_epsilon() -> None:
    noise = Noise(epsilon=1.0, histograms=4)
    assert noise.scale == 4.0
    noised = noise.apply([100, 0, 50])
    assert len(noised) == 3 and all(isinstance(v, int) and v >= 0 for v in noised)
    # P(|X| >= margin) <= 5% for discrete Laplace of scale 4
    b, k = noise.scale, noise.margin
    assert (
        2 * math.exp(-k / b) / (1 + math.exp(-1 / b))
        <= 0.05
        < 2 * math.exp(-(k - 1) / b) / (1 + math.exp(-1 / b))
    )
    assert histograms_in_release(scales=3, choices=2, breakdowns=2) == 14


def test_noise_really_varies_and_is_centred(personas: Personas) -> None:
    draws = [Noise(epsilon=1.0, histograms=1).apply([1000])[0] for _ in range(400)]
    assert len(set(draws)) > 3
    assert abs(sum(draws) / len(draws) - 1000) < 0.5


def test_each_release_spends_its_share_of_the_budget_shown_on_screen_until_none_is_left(
    personas: Personas, private: Survey
) -> None:
    answered(private)
    first = release(private)
    assert first.epsilon == 50
    page = personas.client(personas.admin_a).get(url("survey", personas, private.pk)).content.decode()
    assert "Budget (epsilon) 100.00: 50.00 spent, 50.00 left; each release spends 50.00." in page
    assert "random noise" in page
    answered(private)
    release(private)
    answered(private)
    with pytest.raises(ValidationError, match="budget is spent"):
        release(private)
    privacy = selectors.privacy_of(private)
    assert privacy is not None and (privacy.spent, privacy.left) == (100.0, 0.0)
    entry = AuditEntry.objects.filter(action="released results").last()
    assert entry is not None and entry.changes["epsilon"] == [None, 50.0]


def test_released_figures_carry_intervals_that_account_for_the_noise(
    personas: Personas, private: Survey
) -> None:
    answered(private, 60)
    release(private)
    results = selectors.survey_results(private)
    margin = results.privacy.margin if results.privacy else None
    assert margin is not None and margin >= 1
    shown = [q for q in results.questions if q.favorable is not None]
    assert shown
    for question in shown:
        assert question.n is not None and question.favorable_interval is not None
        low, high = question.favorable_interval
        assert low <= question.favorable <= high
        # The margin on each side, clipped at 0% and 100%.
        assert 0 < high - low <= 2 * margin / question.n + 1e-9
    api = personas.client(personas.admin_a).get(url("survey", personas, private.pk)).content.decode()
    assert "Ranges beside shares account for it." in api


def test_noised_counts_are_still_suppressed(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    services.save_release_rules(
        actor=None, survey=survey, release_every_days=None, privacy_budget=10.0, epsilon_per_release=10.0
    )
    answered(survey, 30)
    answer(survey, tenure="over10", engaged="1")
    release(survey)
    figures = selectors.release_of(survey, None).figures  # type: ignore[union-attr]
    for question in figures["questions"]:
        for option in question["options"]:
            assert option["count"] is None or option["count"] >= figures["minimum"]
    assert json.dumps(figures).count('"respondents": 1,') == 0


def test_the_budget_is_set_per_survey_and_cannot_change_once_released(
    personas: Personas, private: Survey
) -> None:
    other = employee_survey(personas.agency_a, title="Another")
    assert selectors.privacy_of(other) is None
    answered(private)
    release(private)
    with pytest.raises(ValidationError):
        services.save_release_rules(
            actor=None,
            survey=private,
            release_every_days=None,
            privacy_budget=500.0,
            epsilon_per_release=50.0,
        )
    response = personas.client(personas.analyst_a).post(
        url("survey-releases", personas, other.pk),
        {"privacy_budget": "1", "epsilon_per_release": "2"},
    )
    assert "cannot spend more than the whole budget" in response.content.decode()


def test_releases_on_a_schedule_only_when_due_and_enough_people_answered(personas: Personas) -> None:
    survey = employee_survey(personas.agency_a)
    services.save_release_rules(
        actor=None, survey=survey, release_every_days=7, privacy_budget=None, epsilon_per_release=None
    )
    answered(survey, 5)
    assert services.release_due_results() == 0  # too few
    answered(survey, 10)
    assert services.release_due_results() == 1
    answered(survey, 10)
    assert services.release_due_results() == 0  # released today: not due for a week
    assert [r.number for r in selectors.releases(survey)] == [1]
