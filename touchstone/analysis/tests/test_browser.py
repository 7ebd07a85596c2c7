"""The analysis page in a real browser passes axe-core's WCAG checks, charts and tables included."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from touchstone.analysis.tests.helpers import add_responses
from touchstone.conftest import Personas, assert_accessible, sign_in
from touchstone.surveys.tests.factories import published_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_analysis_page_is_accessible(page: Any, live_server: Any, personas: Personas) -> None:
    survey = published_survey(personas.agency_a, minimum_to_show=30)
    add_responses(survey, 120, channel=lambda rng, i: ["website", "phone", "in_person"][i % 3])
    add_responses(survey, 5, channel="mobile_app", seed=3)  # a group below the minimum
    second_quarter = timezone.make_aware(dt.datetime(2026, 4, 15, 10, 0))
    add_responses(survey, 60, start=second_quarter, seed=8)  # so the change between quarters shows
    sign_in(page, live_server, personas.viewer_a.username)
    page.goto(f"{live_server.url}/manage/{personas.agency_a.slug}/analysis/{survey.pk}/")
    assert page.get_by_role("heading", name="By Channel").is_visible()
    assert page.locator("svg.touchstone-chart").count() >= 3
    assert page.get_by_text("Change from the previous quarter").first.is_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/manage/{personas.agency_a.slug}/analysis/{survey.pk}/drivers/")
    assert_accessible(page)
