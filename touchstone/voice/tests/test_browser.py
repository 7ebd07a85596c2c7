"""The employee's one-use form in a real browser: accessible in English and Spanish, and it works without JavaScript."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible
from touchstone.voice import services
from touchstone.voice.models import PendingAnswer
from touchstone.voice.tests.factories import employee_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_one_use_form_is_accessible_in_english_and_after_an_error(
    personas: Personas, page: Any, live_server: Any
) -> None:
    survey = employee_survey(personas.agency_a)
    token = services.new_link(survey)
    page.goto(f"{live_server.url}/e/{token}/")
    assert_accessible(page)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
    page.get_by_text("Agree", exact=True).first.click()
    page.locator("#q-heard").get_by_text("Strongly agree").click()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    assert "Thank you" in page.content()
    assert_accessible(page)
    assert (
        PendingAnswer.objects.count() == 1
    )  # pooled, apart from the link, until a shuffled batch is written
    page.goto(f"{live_server.url}/e/{token}/")
    assert "This link cannot be used" in page.content()
    assert_accessible(page)


def test_the_one_use_form_is_accessible_in_spanish(personas: Personas, page: Any, live_server: Any) -> None:
    survey = employee_survey(personas.agency_a)
    page.goto(f"{live_server.url}/es/e/{services.new_link(survey)}/")
    assert "Tengo las herramientas" in page.content()
    assert_accessible(page)


def test_the_form_works_without_javascript(personas: Personas, browser: Any, live_server: Any) -> None:
    survey = employee_survey(personas.agency_a)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{services.new_link(survey)}/")
    page.locator("#q-engaged").get_by_text("Agree", exact=True).click()
    page.locator("#q-heard").get_by_text("Agree", exact=True).click()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    assert "Thank you" in page.content()
    context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_page_on_what_is_kept_is_reached_from_the_form_and_accessible_on_a_phone(
    personas: Personas, browser: Any, live_server: Any, language: str
) -> None:
    survey = employee_survey(personas.agency_a)
    context = browser.new_context(
        bypass_csp=True, viewport={"width": 390, "height": 844}
    )  # CSP: to inject axe
    page = context.new_page()
    prefix = "/es" if language == "es" else ""
    page.goto(f"{live_server.url}{prefix}/e/{services.new_link(survey)}/")
    name = "Qué se guarda y qué no sobre usted" if language == "es" else "What is and is not kept about you"
    page.get_by_role("link", name=name).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    page.goto(f"{live_server.url}{prefix}/e/not-a-real-link-at-all/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    context.close()
