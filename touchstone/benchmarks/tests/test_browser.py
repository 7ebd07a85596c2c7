"""The benchmark pages a manager uses, in a real browser at 390 px and on a desktop, in English and Spanish,
checked by axe-core."""

from typing import Any

import pytest

from touchstone.benchmarks import services
from touchstone.benchmarks.tests.test_comparisons import peer, standard_with_result
from touchstone.conftest import Personas, assert_accessible, sign_in
from touchstone.core.models import Office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed(personas: Personas) -> None:
    a = personas.agency_a
    south = Office.objects.create(agency=a, name="South Office")
    for name, met, office, value in [
        ("Licences", 950, personas.office_a, 0.85),
        ("Permits", 700, south, 0.9),
    ]:
        standard = standard_with_result(a, name, met, 1000, office, 10_000)
        services.choose(
            actor=None, agency=a, benchmark=peer(a, name.lower(), value, 0.01), service=standard.service
        )
        if name == "Permits":  # the analyst's area
            standard.owner = personas.analyst_a
            standard.save(update_fields=["owner"])
    services.refresh_agency_summary(a)


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_benchmark_pages_pass_axe_on_a_phone_and_a_desktop(
    personas: Personas, browser: Any, live_server: Any, language: str, width: int
) -> None:
    seed(personas)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "analyst-a")
    slug = personas.agency_a.slug
    area = personas.analyst_a.memberships.get(agency=personas.agency_a).pk
    for path in ["", "comparisons/", "scorecard/", f"scorecard/people/{area}/", "new/"]:
        page.goto(f"{live_server.url}{language}/manage/{slug}/benchmarks/{path}")
        assert page.locator("h1").is_visible()
        assert_accessible(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways at {width} px"
    context.close()


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_overseers_comparison_passes_axe_on_a_phone_and_a_desktop(
    personas: Personas, browser: Any, live_server: Any, language: str, width: int
) -> None:
    seed(personas)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}{language}/manage/oversight/benchmarks/")
    assert page.locator("h1").is_visible()
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the overseer's page scrolls sideways at {width} px"
    context.close()
