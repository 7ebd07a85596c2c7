"""Pages a person uses, in a real browser, checked by axe-core; on a desktop and on a phone, in both languages."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = ["/", "/agencies/aaa/", "/sign-in/", "/password-reset/", "/agencies/none/"]


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_pass_axe(
    personas: Personas, live_server: Any, page: Any, path: str, language: str
) -> None:
    page.goto(f"{live_server.url}{language}{path}")
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/agencies/aaa/"])
def test_public_pages_read_well_on_a_phone(
    personas: Personas, live_server: Any, phone_page: Any, path: str
) -> None:
    phone_page.goto(f"{live_server.url}{path}")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    assert_accessible(phone_page)


def test_the_language_switch_turns_the_page_spanish(personas: Personas, live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/agencies/aaa/")
    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()
    assert page.url.endswith("/es/agencies/aaa/")
    assert page.locator("html").get_attribute("lang") == "es"


def test_a_staff_member_signs_in_and_every_workspace_page_passes_axe(
    personas: Personas, live_server: Any, page: Any
) -> None:
    sign_in(page, live_server, "admin-a")
    assert page.url.endswith("/manage/aaa/")
    for path in [
        "",
        "offices/",
        "offices/new/",
        "people/",
        "people/new/",
        "tokens/",
        "audit/",
        "imports/",
        "details/",
    ]:
        page.goto(f"{live_server.url}/manage/aaa/{path}")
        assert_accessible(page)


def test_a_form_with_errors_shows_a_summary_and_passes_axe(
    personas: Personas, live_server: Any, page: Any
) -> None:
    sign_in(page, live_server, "admin-a")
    page.goto(f"{live_server.url}/manage/aaa/offices/new/")
    page.get_by_label("Time zone").fill("Nowhere/Else")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Please correct the following").is_visible()
    assert page.get_by_label("Name").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_the_workspace_works_without_javascript(browser: Any, personas: Personas, live_server: Any) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, "admin-a")
    page.goto(f"{live_server.url}/manage/aaa/offices/new/")
    page.get_by_label("Name").fill("Walk-in Center")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_text("Office “Walk-in Center” added.").is_visible()
    assert page.get_by_role("link", name="Agencies").is_visible(), (
        "navigation must show on a phone without JavaScript"
    )
    context.close()


def test_an_overseer_page_passes_axe(personas: Personas, live_server: Any, page: Any) -> None:
    sign_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}/manage/oversight/")
    assert_accessible(page)
