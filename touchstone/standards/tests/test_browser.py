"""The public standards pages in a real browser, checked by axe-core, in English and Spanish and on a phone."""

import datetime as dt
from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible
from touchstone.standards import services, store
from touchstone.standards.tests.helpers import make_service, make_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed(personas: Personas) -> None:
    service = make_service(personas.agency_a)
    standard = make_standard(personas.agency_a, service, measure="calendar_days", threshold=5.0)
    rows = []
    for month in range(1, 13):
        for i in range(20):
            started = dt.datetime(2024, month, 2, 9, tzinfo=dt.UTC)
            ended = started + dt.timedelta(days=3 if i < 20 - month else 9)
            rows.append(
                {
                    "external_id": f"b{month}-{i}",
                    "service_id": service.pk,
                    "channel": "phone",
                    "started_at": started,
                    "ended_at": ended,
                }
            )
    store.write_records(personas.agency_a, rows)
    services.measure_standard(standard)
    make_standard(
        personas.agency_a,
        service,
        statement="We decide within 4 days.",
        measure="calendar_days",
        threshold=4.0,
    )


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("path", ["/agencies/aaa/standards/", "/standards/"])
def test_public_standards_pages_pass_axe(
    personas: Personas, live_server: Any, page: Any, path: str, language: str
) -> None:
    seed(personas)
    page.goto(f"{live_server.url}{language}{path}")
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_the_agency_standards_page_reads_well_on_a_phone(
    personas: Personas, live_server: Any, phone_page: Any
) -> None:
    seed(personas)
    phone_page.goto(f"{live_server.url}/agencies/aaa/standards/")
    assert phone_page.locator("svg[role=img]").count() == 2
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    assert_accessible(phone_page)
