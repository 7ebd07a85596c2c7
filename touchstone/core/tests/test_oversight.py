"""The overseer reads every agency's published figures on one page, in a fixed number of queries."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from touchstone.catalog.tests.factories import published_service
from touchstone.complaints.models import Case
from touchstone.conftest import Personas
from touchstone.standards.models import PeriodResult, ServiceStandard
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey


def test_the_oversight_page_shows_each_agencys_standards_satisfaction_and_complaints(
    personas: Personas,
) -> None:
    service = published_service(personas.agency_a, "Cards")
    standard = ServiceStandard.objects.create(
        agency=personas.agency_a,
        service=service,
        statement="Cards in 10 days.",
        standard_type="timeliness",
        measure="calendar_days",
        threshold=10,
        target=0.9,
        period="month",
        valid_from=dt.date(2025, 10, 1),
    )
    PeriodResult.objects.create(
        standard=standard,
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 9, 30),
        label="2026-09",
        volume_met=95,
        total=100,
        performance=0.95,
        verdict="met",
    )
    survey = published_survey(personas.agency_a, service=service)
    now = timezone.now()
    Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                version=survey.current_version,
                submitted_at=now,
                answers={"satisfaction": 5 if n < 30 else 1},
            )
            for n in range(40)
        ]
    )
    Case.objects.create(agency=personas.agency_b, tracking_number="BBB-2026-AAAAAA", narrative="Late.")
    html = personas.client(personas.overseer).get(reverse("manage:oversight")).content.decode()
    alpha = html.split("Agency of Alpha")[1].split("</tr>")[0]
    beta = html.split("Bureau of Beta")[1].split("</tr>")[0]
    assert "1 of 1 standards met" in alpha and "75% (n=40)" in alpha
    assert "<td>1</td>" in beta.replace(" ", "")


def test_the_oversight_page_does_not_grow_in_queries_with_agencies(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    from touchstone.core.models import Agency

    client = personas.client(personas.overseer)
    for number in range(15):
        Agency.objects.create(name=f"Agency {number}", abbreviation=f"AG{number}")
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        client.get(reverse("manage:oversight"))
