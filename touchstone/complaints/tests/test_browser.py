"""The public complaint pages in a real browser, checked by axe-core, in English and Spanish."""

from typing import Any

import pytest

from touchstone.complaints.models import Case
from touchstone.conftest import Personas, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["", "/es"])
def test_the_public_form_and_status_pages_pass_axe(
    personas: Personas, live_server: Any, page: Any, language: str
) -> None:
    base = f"{live_server.url}{language}"
    for path in ["/agencies/aaa/complaints/", "/agencies/aaa/complaints/statistics/", "/complaints/status/"]:
        page.goto(base + path)
        assert page.locator("h1").count() == 1
        assert_accessible(page)
    page.goto(base + "/agencies/aaa/complaints/new/")
    assert_accessible(page)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".usa-alert--error").count() == 1
    assert_accessible(page)
    page.locator("#id_narrative").fill("The office lost my forms.")
    page.locator("#id_contact_email").fill("pat@example.com")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert case.tracking_number in page.locator("#tracking-number").inner_text()
    assert_accessible(page)
    page.goto(base + "/complaints/status/")
    page.locator("#id_tracking_number").fill(case.tracking_number)
    page.locator("#id_email").fill("pat@example.com")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()
    assert case.tracking_number in page.locator("h1").inner_text()
    assert_accessible(page)
