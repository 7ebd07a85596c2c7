"""Builders for the reports tests."""

import datetime as dt

from django.utils import timezone

from touchstone.analysis.tests.helpers import add_responses
from touchstone.catalog.models import Service
from touchstone.core.models import Agency
from touchstone.surveys.models import Survey
from touchstone.surveys.tests.factories import published_survey


def surveyed(agency: Agency, count: int = 40, agree: int = 30, day: dt.date = dt.date(2026, 1, 15)) -> Survey:
    """An A-11 v1 survey with `count` answers in the quarter of `day`, `agree` of them satisfied (5), the rest 2."""
    survey = published_survey(agency, minimum_to_show=10, title="How did we do?")
    add_responses(
        survey,
        count,
        start=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        answers=lambda rng, i: {"satisfaction": 5 if i < agree else 2, "ease": 5 if i < agree else 1},
    )
    return survey


def hisp(agency: Agency, name: str = "Apply for benefits") -> Service:
    return Service.objects.create(
        agency=agency, name=name, description="Apply.", is_high_impact=True, status=Service.Status.PUBLISHED
    )
