"""The service page: every source on one page and one time axis, read from monthly figures a task keeps, in a
fixed number of queries whatever the number of responses, cases, standards and periods."""

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from touchstone.complaints.models import Case, Topic
from touchstone.conftest import Personas
from touchstone.improvement import services
from touchstone.improvement.models import ServiceMonth
from touchstone.improvement.tests.factories import answer, consenting_survey, service_of
from touchstone.standards.models import PeriodResult, ServiceStandard

PAGE_QUERIES = 19  # session and membership, then the page's own reads (see selectors.service_page)


def standard(service: Any, months: int) -> ServiceStandard:
    found = ServiceStandard.objects.create(
        agency_id=service.agency_id,
        service=service,
        statement=f"We answer within 20 minutes ({months} months).",
        standard_type="timeliness",
        measure="calendar_hours",
        threshold=0.33,
        target=0.8,
        valid_from=dt.date(2023, 1, 1),
    )
    today = timezone.localdate().replace(day=1)
    for back in range(months, 0, -1):
        index = today.year * 12 + today.month - 1 - back
        start = dt.date(index // 12, index % 12 + 1, 1)
        PeriodResult.objects.create(
            standard=found,
            period_start=start,
            period_end=start + dt.timedelta(days=27),
            label=start.strftime("%Y-%m"),
            volume_met=800 + back % 5,
            total=1000,
            performance=(800 + back % 5) / 1000,
        )
    return found


def cases(service: Any, count: int) -> None:
    topic = Topic.objects.get_or_create(agency_id=service.agency_id, name="Long waits")[0]
    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            agency_id=service.agency_id,
            tracking_number=f"T-{service.pk}-{i}",
            service=service,
            topic=topic,
            narrative="Waited.",
            received_at=now - dt.timedelta(days=3 * i),
        )
        for i in range(count)
    )


def page_queries(personas: Personas, service: Any) -> int:
    client = personas.client(personas.analyst_a)
    url = f"/manage/{personas.agency_a.slug}/improvement/services/{service.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_page_reads_a_fixed_number_of_queries_however_much_there_is(personas: Personas) -> None:
    small = service_of(personas.agency_a, "small")
    standard(small, 3)
    services.refresh_service_months(small)
    large = service_of(personas.agency_a, "large")
    for months in (12, 24, 36):
        standard(large, months)
    cases(large, 60)
    survey = consenting_survey(personas.agency_a, large)
    for score in (1, 2, 3, 4, 5, 5):
        answer(survey, satisfaction=score, ease=score)
    services.refresh_service_months(large)
    assert page_queries(personas, large) == page_queries(personas, small)
    assert page_queries(personas, large) == PAGE_QUERIES


def test_the_monthly_figures_count_answers_agreeing_and_complaints_by_topic(personas: Personas) -> None:
    service = service_of(personas.agency_a)
    survey = consenting_survey(personas.agency_a, service)
    for score in (1, 4, 5):
        answer(survey, satisfaction=score)
    cases(service, 1)
    services.refresh_service_months(service)
    month = timezone.localdate().replace(day=1)
    satisfaction = ServiceMonth.objects.get(service=service, source="survey", key="satisfaction", month=month)
    assert (satisfaction.count, satisfaction.hits) == (3, 2)
    complaints = ServiceMonth.objects.filter(service=service, source="complaints", month=month)
    assert {row.key: row.count for row in complaints} == {"": 1, "Long waits": 1}
    assert services.refresh_service_months(service) == ServiceMonth.objects.filter(service=service).count()


def test_the_page_puts_a_slipping_standard_and_rising_complaints_on_one_time_axis(personas: Personas) -> None:
    service = service_of(personas.agency_a)
    found = standard(service, 24)
    last = PeriodResult.objects.filter(standard=found).order_by("-period_start").first()
    assert last is not None
    PeriodResult.objects.filter(pk=last.pk).update(volume_met=300, performance=0.3)
    cases(service, 30)
    services.refresh_service_months(service)
    html = (
        personas.client(personas.viewer_a)
        .get(f"/manage/{personas.agency_a.slug}/improvement/services/{service.pk}/")
        .content.decode()
    )
    assert "One point beyond the control limits" in html
    assert "Every source by month on one time axis" in html
    assert "Long waits" in html
    assert last.label in html
