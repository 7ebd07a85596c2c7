"""The overseer reads every agency's published figures on one page, in a fixed number of queries."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from touchstone.catalog.tests.factories import published_service
from touchstone.complaints.models import Case
from touchstone.conftest import Personas
from touchstone.core.models import Agency, User
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
    assert "1 of 1 met (100%)" in alpha and "75% (n=40)" in alpha
    assert "<td>1</td>" in beta.replace(" ", "")


def _standard_with_result(agency: Agency, met: int, total: int, verdict: str) -> None:
    service = published_service(agency, f"Service of {agency.abbreviation}")
    standard = ServiceStandard.objects.create(
        agency=agency,
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
        volume_met=met,
        total=total,
        performance=met / total,
        verdict=verdict,
    )


def test_a_sub_agency_is_listed_and_rolled_up_into_its_department(personas: Personas) -> None:
    """The demo's shape: the department holds nothing itself; its Benefits Administration holds everything."""
    department = personas.agency_a
    benefits = Agency.objects.create(name="Benefits Administration", abbreviation="BA", parent=department)
    permits = Agency.objects.create(name="Permits Service", abbreviation="PS", parent=department)
    _standard_with_result(benefits, 95, 100, "met")
    _standard_with_result(benefits, 70, 100, "not_met")
    _standard_with_result(permits, 99, 100, "met")
    survey = published_survey(benefits, service=published_service(benefits, "Cards"))
    Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                version=survey.current_version,
                submitted_at=timezone.now(),
                answers={"satisfaction": 5 if n < 40 else 2},
            )
            for n in range(50)
        ]
    )
    now = timezone.now()
    for number in range(4):
        Case.objects.create(
            agency=benefits,
            tracking_number=f"BA-2026-AAAAA{number}",
            narrative="Late.",
            next_breach_at=now - dt.timedelta(hours=1) if number == 0 else now + dt.timedelta(days=3),
        )
    html = personas.client(personas.overseer).get(reverse("manage:oversight")).content.decode()
    department_row = html.split("Agency of Alpha")[1].split("</tr>")[0]
    benefits_row = html.split("Benefits Administration")[1].split("</tr>")[0]
    permits_row = html.split("Permits Service")[1].split("</tr>")[0]
    assert "2 of 3 met (67%)" in department_row and "80% (n=50)" in department_row
    assert "<td>4</td>" in department_row and "1 of 4 open (25%)" in department_row
    assert (
        "1 of 2 met (50%)" in benefits_row and "80% (n=50)" in benefits_row and "<td>4</td>" in benefits_row
    )
    assert "1 of 1 met (100%)" in permits_row


def test_figures_are_written_the_spanish_way_on_spanish_pages(personas: Personas) -> None:
    _standard_with_result(personas.agency_a, 95, 100, "met")
    client = personas.client(personas.overseer)
    html = client.get("/es" + reverse("manage:oversight")).content.decode()
    assert "100\u00a0%" in html.split("Agency of Alpha")[1].split("</tr>")[0]


def test_the_overseer_without_an_agency_is_led_to_oversight(personas: Personas) -> None:
    response = personas.client(personas.overseer).get(reverse("manage:home"))
    assert response.status_code == 302 and response.url == reverse("manage:oversight")


def test_the_oversight_page_does_not_grow_in_queries_with_agencies(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    client = personas.client(personas.overseer)
    for number in range(15):
        Agency.objects.create(name=f"Agency {number}", abbreviation=f"AG{number}")
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        client.get(reverse("manage:oversight"))


def test_the_demo_overseer_compares_every_agency_with_real_figures(db: object) -> None:
    from django.test import Client

    from touchstone.core.demo import load_demo

    load_demo()
    client = Client()
    client.force_login(User.objects.get(username="overseer"))
    assert client.get(reverse("manage:home")).url == reverse("manage:oversight")
    html = client.get(reverse("manage:oversight")).content.decode()
    for name in (
        "Department of Community Services",
        "Benefits Administration",
        "Licensing and Permits Service",
        "Federal Recreation Passes Board",
    ):
        assert name in html
    benefits = html.split("Benefits Administration</a>")[1].split("</tr>")[0]
    department = html.split("Department of Community Services</a>")[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0] for cell in benefits.split("<td>")[1:]]
    assert "—" not in cells[1:], f"the Benefits Administration shows an empty figure: {cells}"
    assert re.search(r"\d+ of [1-9]\d* met", benefits) and re.search(r"\d+ of [1-9]\d* met", department)
