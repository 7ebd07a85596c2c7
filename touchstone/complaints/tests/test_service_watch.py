"""Complaint insight puts a service's rising complaints beside its slipping standard."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from touchstone.catalog.tests.factories import published_service
from touchstone.complaints.models import Case, Topic
from touchstone.conftest import Personas
from touchstone.standards.models import PeriodResult, ServiceStandard


def test_a_rising_topic_and_a_slipping_standard_show_on_one_page(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Retirement claims")
    topic = Topic.objects.create(agency=personas.agency_a, name="Delays")
    now = timezone.now()
    for number in range(5):
        Case.objects.create(
            agency=personas.agency_a,
            tracking_number=f"AAA-2026-R{number:05d}",
            service=service,
            topic=topic,
            narrative="Late.",
            received_at=now - dt.timedelta(days=3),
        )
    Case.objects.create(
        agency=personas.agency_a,
        tracking_number="AAA-2026-P00001",
        service=service,
        topic=topic,
        narrative="Late.",
        received_at=now - dt.timedelta(days=120),
    )
    standard = ServiceStandard.objects.create(
        agency=personas.agency_a,
        service=service,
        statement="We decide claims within 30 days.",
        standard_type="timeliness",
        measure="calendar_days",
        threshold=30,
        target=0.9,
        period="month",
        valid_from=dt.date(2025, 1, 1),
    )
    for month, met in ((dt.date(2026, 8, 1), 92), (dt.date(2026, 9, 1), 70)):
        PeriodResult.objects.create(
            standard=standard,
            period_start=month,
            period_end=month,
            label=f"{month:%Y-%m}",
            volume_met=met,
            total=100,
            performance=met / 100,
            verdict="met" if met >= 90 else "not_met",
        )
    html = (
        personas.client(personas.viewer_a)
        .get(reverse("manage:complaints:insight", args=[personas.agency_a.slug]))
        .content.decode()
    )
    section = html.split("Services: complaints beside their promises")[1].split("</table>")[0]
    assert "Retirement claims" in section and "▲" in section and "Delays" in section
    assert "We decide claims within 30 days. 70% in 2026-09" in section
