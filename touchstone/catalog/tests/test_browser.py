"""The directory and a service page in a real browser: axe-clean in English and Spanish, on a phone too."""

from typing import Any

import pytest

from touchstone.catalog.tests.factories import link, published_service
from touchstone.conftest import Personas, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def service(personas: Personas) -> Any:
    service = published_service(
        personas.agency_a,
        "Apply for benefits",
        channels=("website", "phone", "in_person"),
        eligibility="People aged 62 or older.",
    )
    link(service, "Retirees", 100, 50)
    return service


@pytest.mark.parametrize("language", ["", "/es"])
def test_the_directory_and_a_service_page_pass_axe(
    service: Any, live_server: Any, page: Any, language: str
) -> None:
    page.goto(f"{live_server.url}{language}/services/")
    page.get_by_label("Search services" if not language else "Buscar servicios").fill("benefits")
    page.get_by_role("button", name="Search" if not language else "Buscar").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name="Apply for benefits").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Apply for benefits"
    assert_accessible(page)


def test_a_service_page_reads_well_on_a_phone(service: Any, live_server: Any, phone_page: Any) -> None:
    phone_page.goto(f"{live_server.url}/agencies/aaa/services/{service.slug}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_accessible(phone_page)


def test_the_catalog_workspace_pages_pass_axe(
    service: Any, personas: Personas, live_server: Any, page: Any
) -> None:
    from touchstone.catalog.tests.factories import monthly_volumes

    monthly_volumes(service, {"website": [10, 20, 30], "phone": [50, None, 40]})
    sign_in(page, live_server, "analyst-a")
    for path in [
        "services/",
        f"services/{service.pk}/",
        "services/new/",
        "segments/",
        "who-should-be-served/",
        "providers/",
        f"services/{service.pk}/volumes/new/",
    ]:
        page.goto(f"{live_server.url}/manage/aaa/catalog/{path}")
        assert_accessible(page)
