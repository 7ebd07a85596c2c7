"""A handler in a real browser: sees a likely duplicate flagged on the worklist and the case page (axe-core, 390 px
and 1280 px, English and Spanish), merges it with one click, dismisses another flag, and closes ticked cases in
bulk from the worklist."""

from typing import Any

import pytest

from touchstone.complaints.models import Case
from touchstone.complaints.tests.factories import file_case
from touchstone.complaints.tests.test_browser_help_desk import check
from touchstone.conftest import Personas, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = "My benefit payment has not arrived for two months and nobody answers the phone at the office."
AGAIN = "I still have not received my benefit payment. It is two months late and the phone is never answered."


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_a_flagged_duplicate_is_shown_and_merged_with_one_click(
    personas: Personas, browser: Any, live_server: Any, language: str, width: int
) -> None:
    first = file_case(personas, FIRST)
    again = file_case(personas, AGAIN)
    assert again.likely_duplicate_of == first
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "handler-a")
    base = f"{live_server.url}{language}/manage/{personas.agency_a.slug}/complaints"
    check(page, f"{base}/", width)
    flag = "Probable duplicado de" if language else "Likely duplicate of"
    # A USWDS tag shows in capitals.
    assert f"{flag} {first.tracking_number}".lower() in page.locator("#worklist").inner_text().lower()
    check(page, f"{base}/cases/{again.pk}/", width)
    assert first.tracking_number in page.locator("#likely-duplicate").inner_text()
    page.locator("#likely-duplicate button[value=merge]").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/cases/{first.pk}/")
    assert_accessible(page)
    again.refresh_from_db()
    assert again.merged_into == first and again.state == Case.State.CLOSED
    context.close()


def test_a_handler_dismisses_a_flag_and_closes_ticked_cases_in_bulk(
    personas: Personas, browser: Any, live_server: Any
) -> None:
    first = file_case(personas, FIRST)
    again = file_case(personas, AGAIN)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "handler-a")
    base = f"{live_server.url}/manage/{personas.agency_a.slug}/complaints"
    page.goto(f"{base}/cases/{again.pk}/")
    page.locator("#likely-duplicate button[value=dismiss]").click()
    page.wait_for_load_state()
    assert page.locator("#likely-duplicate").count() == 0
    again.refresh_from_db()
    assert again.likely_duplicate_of is None and again.is_open

    page.goto(f"{base}/")
    # The box is drawn by the label; its input is visually hidden, as USWDS does.
    page.locator(f"#select-{first.pk}").dispatch_event("click")
    page.locator(f"#select-{again.pk}").dispatch_event("click")
    assert (
        page.locator(f"#select-{first.pk}").is_checked() and page.locator(f"#select-{again.pk}").is_checked()
    )
    page.get_by_label("Action").select_option("close")
    page.get_by_label("Outcome").select_option("explanation")
    page.get_by_label("Response to the customers").fill(
        "The payment fault is fixed and both payments were made."
    )
    page.get_by_role("button", name="Apply to the ticked cases").click()
    page.wait_for_load_state()
    assert "Done for 2 cases." in page.content()
    assert_accessible(page)
    assert set(Case.objects.values_list("state", flat=True)) == {Case.State.CLOSED}
    context.close()
