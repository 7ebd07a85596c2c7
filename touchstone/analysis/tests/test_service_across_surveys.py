"""A service's A-11 drivers pooled across all its customer surveys, by fiscal quarter."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from touchstone.analysis.across import service_across_surveys
from touchstone.catalog.tests.factories import published_service
from touchstone.conftest import Personas
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey


def answers(survey: object, day: dt.date, satisfied: int, unsatisfied: int) -> list[Response]:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    return [
        Response(
            survey=survey,
            version=survey.current_version,
            answers={"satisfaction": 5},  # type: ignore[attr-defined]
            submitted_at=moment,
        )
        for _ in range(satisfied)
    ] + [
        Response(
            survey=survey,
            version=survey.current_version,
            answers={"satisfaction": 2},  # type: ignore[attr-defined]
            submitted_at=moment,
        )
        for _ in range(unsatisfied)
    ]


def test_two_surveys_of_a_service_pool_by_fiscal_quarter(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Cards")
    first = published_survey(personas.agency_a, service=service, title="Web survey", minimum_to_show=5)
    second = published_survey(personas.agency_a, service=service, title="Phone survey", minimum_to_show=5)
    Response.objects.bulk_create(
        answers(first, dt.date(2025, 11, 3), 6, 2)
        + answers(second, dt.date(2025, 12, 1), 2, 0)
        + answers(first, dt.date(2026, 1, 15), 1, 1)
    )
    found = service_across_surveys(service)
    satisfaction = next(trend for trend in found.drivers if trend.measure == "satisfaction")
    first_quarter = satisfaction.by_quarter[found.quarters[0]]
    assert found.quarters[0].label == "FY2026 Q1"
    assert (first_quarter.count, first_quarter.n) == (8, 10)
    assert (
        found.shown(satisfaction.by_quarter[found.quarters[1]]) is None
    )  # 2 answers, below the minimum of 5
    html = (
        personas.client(personas.viewer_a)
        .get(reverse("manage:analysis:service", args=[personas.agency_a.slug, service.pk]))
        .content.decode()
    )
    assert "Web survey" in html and "Phone survey" in html
    assert "80%" in html and "‡" in html and "FY2026 Q2" in html
