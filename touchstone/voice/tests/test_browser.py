"""The employee's one-use form in a real browser: accessible in English and Spanish, and it works without JavaScript."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible
from touchstone.voice import services
from touchstone.voice.models import EmployeeAnswer
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
    assert EmployeeAnswer.objects.count() == 1
    page.goto(f"{live_server.url}/e/{token}/")
    assert "This link has been used" in page.content()
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
