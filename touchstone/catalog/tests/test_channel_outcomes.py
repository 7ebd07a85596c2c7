"""The service page sets each channel's volume beside its satisfaction, standard results and complaints."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from touchstone.catalog.tests.factories import monthly_volumes, published_service
from touchstone.complaints.models import Case
from touchstone.conftest import Personas
from touchstone.standards.models import PeriodResult, ServiceStandard
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey


def test_each_channel_shows_satisfaction_standards_and_complaints(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Cards", channels=("website", "phone"))
    monthly_volumes(service, {"website": [300], "phone": [100]})
    survey = published_survey(personas.agency_a, service=service, minimum_to_show=5)
    now = timezone.now()
    Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                version=survey.current_version,
                service=service,
                channel="website",
                answers={"satisfaction": 5 if n < 8 else 2},
                submitted_at=now,
            )
            for n in range(10)
        ]
        + [
            Response(
                survey=survey,
                version=survey.current_version,
                service=service,
                channel="phone",
                answers={"satisfaction": 4},
                submitted_at=now,
            )
            for _ in range(3)
        ]
    )
    standard = ServiceStandard.objects.create(
        agency=personas.agency_a,
        service=service,
        channel="phone",
        statement="Answer within 60 seconds.",
        standard_type="timeliness",
        measure="calendar_hours",
        threshold=0.02,
        target=0.9,
        period="month",
        valid_from=dt.date(2025, 10, 1),
    )
    PeriodResult.objects.create(
        standard=standard,
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 10, 31),
        label="2025-10",
        volume_met=80,
        total=100,
        performance=0.8,
        verdict="not_met",
    )
    Case.objects.create(
        agency=personas.agency_a,
        tracking_number="AAA-2026-XXXXXX",
        service=service,
        channel="phone",
        narrative="Long wait.",
    )
    html = (
        personas.client(personas.viewer_a)
        .get(reverse("manage:catalog:service", args=[personas.agency_a.slug, service.pk]))
        .content.decode()
    )
    assert "How each channel is doing" in html, html[html.find("How do they reach us") :][:3000]
    table = html.split("How each channel is doing")[1].split("</table>")[0]
    website, phone = (
        table.split('<th scope="row">Website</th>')[1],
        table.split('<th scope="row">Phone</th>')[1],
    )
    assert "75%" in website and "80% (95% interval" in website.split("</tr>")[0]
    assert "fewer than 5 answers" in phone.split("</tr>")[0]
    assert "80% in 2025-10 against 90%" in phone.split("</tr>")[0]
    assert "<td>1</td>" in phone.split("</tr>")[0]
