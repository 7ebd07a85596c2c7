"""A survey in English, Spanish and Arabic in a real browser: the picker switches language, Arabic reads right to
left with USWDS's boxes and borders mirrored, and every page passes axe-core on a phone and a desktop."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible, sign_in
from touchstone.surveys.demo_languages import load_language_demo
from touchstone.surveys.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_an_arabic_survey_reads_right_to_left_and_passes_axe(
    personas: Personas, live_server: Any, browser: Any, width: int
) -> None:
    survey = load_language_demo(personas.agency_a)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/s/{survey.short_code}/")
        picker = page.get_by_role("navigation", name="Language of this survey")
        assert picker.get_by_role("link").all_inner_texts() == ["English", "Español", "العربية"]
        assert_accessible(page)
        picker.get_by_role("link", name="العربية").click()
        page.wait_for_load_state()
        content = page.locator(".survey-content")
        assert (content.get_attribute("lang"), content.get_attribute("dir")) == ("ar", "rtl")
        assert "أنا راضٍ عن الخدمة التي تلقيتها." in page.content()
        widths = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})"
        )
        assert widths["page"] <= widths["screen"], widths
        # The radio's circle sits at the start of the line, which in Arabic is its right.
        label = page.locator('label[for="input-satisfaction-5"]')
        circle_right = page.evaluate("(el) => getComputedStyle(el, '::before').right", label.element_handle())
        assert circle_right == "0px"
        assert_accessible(page)
        page.locator("main form button[type=submit]").click()  # nothing answered: the error summary
        page.wait_for_load_state()
        assert page.locator(".usa-form-group--error").count() >= 1
        assert_accessible(page)
        label.click()
        page.locator("main form button[type=submit]").click()
        page.locator("#survey-thanks").wait_for()  # the thanks comes in the submission's own response
        assert "شكرًا لك" in page.content()
        assert_accessible(page)
    finally:
        context.close()
    assert Response.objects.get(survey=survey).language == "ar"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_owner_language_pages_pass_axe(
    personas: Personas, live_server: Any, browser: Any, width: int
) -> None:
    survey = load_language_demo(personas.agency_a)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server, personas.analyst_a.username)
        page.goto(f"{live_server.url}/manage/{personas.agency_a.slug}/surveys/{survey.pk}/languages/")
        assert "100%" in page.content()
        assert_accessible(page)
        page.get_by_role("link", name="العربية").click()
        page.wait_for_load_state()
        assert page.locator('textarea[lang="ar"][dir="rtl"]').count() >= 1
        assert_accessible(page)
    finally:
        context.close()
