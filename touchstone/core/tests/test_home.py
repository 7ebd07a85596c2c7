"""The workspace home shows each role what it opens the product for, with links, in a fixed number of queries."""

import datetime as dt
import itertools
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from touchstone.analysis import selectors as analysis
from touchstone.analysis.tests.helpers import add_responses
from touchstone.complaints import services as complaints
from touchstone.complaints.tests.factories import file_case, standard_policy
from touchstone.conftest import Personas
from touchstone.core.models import ImportRun
from touchstone.standards.models import PeriodResult, Verdict
from touchstone.standards.tests.helpers import make_service, make_standard
from touchstone.surveys.tests.factories import published_survey


def home(personas: Personas, user: Any) -> str:
    response = personas.client(user).get(reverse("manage:agency-home", args=[personas.agency_a.slug]))
    assert response.status_code == 200
    return response.content.decode()


def result(standard: Any, start: dt.date, end: dt.date, met: bool, label: str) -> PeriodResult:
    return PeriodResult.objects.create(
        standard=standard,
        period_start=start,
        period_end=end,
        label=label,
        volume_met=90 if met else 50,
        total=100,
        performance=0.9 if met else 0.5,
        verdict=Verdict.MET if met else Verdict.NOT_MET,
    )


NUMBERS = itertools.count()
# Session, user, membership; clocks (2); standards kept (2) and alerts; surveys with their stored analysis (2);
# failed imports; agency counts; recent changes; the menu's count of the person's agencies.
QUERIES_FOR_AN_ADMIN = 14


def agency_with_work(personas: Personas, cases: int = 2, surveys: int = 1, standards: int = 1) -> None:
    standard_policy(personas)
    for index in range(cases):
        case = file_case(personas, contact_name=f"Customer {index}")
        complaints.assign_case(
            actor=personas.admin_a, case=case, office=None, handler=personas.handler_a, queue="general"
        )
    for index in range(surveys):
        survey = published_survey(personas.agency_a, title=f"Survey {next(NUMBERS)}", minimum_to_show=30)
        add_responses(survey, 40, answers=lambda rng, i: {"satisfaction": 5 if i < 30 else 2})
        analysis.analysis_of(survey)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    for index in range(standards):
        standard = make_standard(
            personas.agency_a,
            make_service(personas.agency_a, f"service-{next(NUMBERS)}"),
            statement=f"Standard {index}",
        )
        result(standard, last_month, this_month - dt.timedelta(days=1), met=True, label="last-month")
        result(standard, this_month, today + dt.timedelta(days=20), met=False, label="this-month")
    ImportRun.objects.create(
        agency=personas.agency_a,
        kind="transactions",
        original_name="broken.csv",
        status=ImportRun.Status.FAILED,
    )


def test_a_handler_sees_their_own_cases_nearest_a_deadline_first(personas: Personas) -> None:
    agency_with_work(personas)
    page = home(personas, personas.handler_a)
    assert page.index("Your complaints nearest a deadline") < page.index("Service standards kept")
    assert "?mine=1" in page
    assert "Survey results" not in page and "Administration" not in page


def test_an_analyst_sees_satisfaction_with_its_interval_and_the_standards_kept(personas: Personas) -> None:
    agency_with_work(personas)
    page = home(personas, personas.analyst_a)
    assert page.index("Survey results") < page.index("Service standards kept")
    assert "75.0%" in page and "(59.8%–85.8%)" in page  # 30 of 40 agree, Wilson interval
    assert ">40<" in page
    assert "last-month" in page and "this-month" not in page  # a period still running is not judged
    assert "1 of 1 standards were met" in page
    assert "broken.csv" in page
    assert "Administration" not in page


def test_an_admin_sees_everything_plus_people_and_tokens(personas: Personas) -> None:
    agency_with_work(personas)
    page = home(personas, personas.admin_a)
    for heading in (
        "Complaint clocks",
        "Service standards kept",
        "Survey results",
        "Imports that did not load",
    ):
        assert heading in page
    assert reverse("manage:people", args=[personas.agency_a.slug]) in page
    assert reverse("manage:tokens", args=[personas.agency_a.slug]) in page


def test_a_breached_clock_is_counted_and_marked(personas: Personas) -> None:
    agency_with_work(personas, cases=1)
    from touchstone.complaints.models import Case

    Case.objects.update(next_breach_at=timezone.now() - dt.timedelta(hours=1))
    page = home(personas, personas.admin_a)
    assert "case past its deadline" in page
    assert "Breached" in page


def test_the_home_costs_the_same_queries_with_more_of_everything(personas: Personas) -> None:
    agency_with_work(personas, cases=1, surveys=1, standards=1)
    client = personas.client(personas.admin_a)
    url = reverse("manage:agency-home", args=[personas.agency_a.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    agency_with_work(personas, cases=4, surveys=3, standards=3)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_home_runs_a_fixed_number_of_queries(personas: Personas, django_assert_num_queries: Any) -> None:
    agency_with_work(personas, cases=3, surveys=2, standards=2)
    client = personas.client(personas.admin_a)
    url = reverse("manage:agency-home", args=[personas.agency_a.slug])
    client.get(url)
    with django_assert_num_queries(QUERIES_FOR_AN_ADMIN):
        client.get(url)


def test_staff_of_another_agency_get_404(personas: Personas) -> None:
    response = personas.client(personas.admin_b).get(
        reverse("manage:agency-home", args=[personas.agency_a.slug])
    )
    assert response.status_code == 404


def test_the_home_speaks_spanish(personas: Personas) -> None:
    agency_with_work(personas)
    response = personas.client(personas.admin_a).get(f"/es/manage/{personas.agency_a.slug}/")
    page = response.content.decode()
    assert "Lo que requiere atención hoy." in page
    assert "Resultados de las encuestas" in page
