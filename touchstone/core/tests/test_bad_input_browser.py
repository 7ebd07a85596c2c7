"""The page that refuses text with a NUL character reads well: axe-core finds nothing, in both languages, on a
desktop and on a phone."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["", "/es"])
def test_the_refusal_page_passes_axe(personas: Personas, live_server: Any, page: Any, language: str) -> None:
    answer = page.goto(f"{live_server.url}{language}/services/?q=pass%00port")
    assert answer is not None and answer.status == 400
    assert page.locator("h1").count() == 1
    assert "NUL" in page.locator("[role=alert]").inner_text()
    assert_accessible(page)


def test_the_refusal_page_reads_well_on_a_phone(
    personas: Personas, live_server: Any, phone_page: Any
) -> None:
    phone_page.goto(f"{live_server.url}/services/?q=pass%00port")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    assert_accessible(phone_page)
