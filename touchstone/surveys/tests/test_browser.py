"""The public survey form in a real browser: axe-clean in English and Spanish, with its error summary, embedded,
thanked, by keyboard alone, without JavaScript, on a phone, and reached from an email invitation."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible
from touchstone.surveys import invitations
from touchstone.surveys.models import Response
from touchstone.surveys.tests.factories import published_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page: Any, input_id: str) -> None:
    """Tick a USWDS radio or checkbox as a person does: its input is drawn off-screen, its label is what shows."""
    page.locator(f'label[for="{input_id}"]').click()


def choose_value(page: Any, name: str, value: str) -> None:
    choose(page, page.locator(f'[name="{name}"][value="{value}"]').get_attribute("id"))


def focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, name: document.activeElement.name || '',"
        " type: document.activeElement.type || '', group: document.activeElement.closest('[id^=q-]')?.id || ''})"
    )


@pytest.mark.parametrize("language", ["", "/es"])
def test_the_a11_v1_form_passes_axe_in_english_and_spanish(
    personas: Personas, live_server: Any, page: Any, language: str
) -> None:
    survey = published_survey(personas.agency_a)
    page.goto(f"{live_server.url}{language}/s/{survey.short_code}/")
    expected = "Estoy satisfecho con el servicio que recibí." if language else "I am satisfied"
    assert expected in page.content()
    assert page.evaluate("document.documentElement.lang") == ("es" if language else "en")
    assert_accessible(page)


def test_the_error_summary_passes_axe_and_its_links_lead_to_the_questions(
    personas: Personas, live_server: Any, page: Any
) -> None:
    survey = published_survey(personas.agency_a)
    page.goto(f"{live_server.url}/s/{survey.short_code}/")
    choose(page, "input-ease-5")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert "Please correct the following" in summary.inner_text()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#q-satisfaction")
    # The link moves the keyboard's starting point: the next Tab lands in the question it names.
    page.keyboard.press("Tab")
    assert focused(page)["group"] == "q-satisfaction"


def test_the_form_can_be_completed_with_the_keyboard_alone(
    personas: Personas, live_server: Any, page: Any
) -> None:
    survey = published_survey(personas.agency_a)
    page.goto(f"{live_server.url}/s/{survey.short_code}/")
    for _ in range(80):
        page.keyboard.press("Tab")
        if focused(page)["name"] == "satisfaction":
            break
    assert focused(page)["name"] == "satisfaction"
    page.keyboard.press("Space")
    for _ in range(80):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "BUTTON" and now["type"] == "submit":
            break
    page.keyboard.press("Enter")
    page.locator("#survey-thanks").wait_for()  # the thanks come in the answer to the submission
    assert Response.objects.get(survey=survey).answers["satisfaction"] == 1


def test_the_a11_v2_lists_follow_the_trust_answer_with_javascript(
    personas: Personas, live_server: Any, page: Any
) -> None:
    survey = published_survey(personas.agency_a, blueprint="a11-v2")
    page.goto(f"{live_server.url}/s/{survey.short_code}/")
    went_well, went_badly = page.locator("#q-positive"), page.locator("#q-negative")
    assert not went_well.is_visible() and not went_badly.is_visible()
    choose_value(page, "question_1", "5")
    assert went_well.is_visible() and not went_badly.is_visible()
    choose_value(page, "question_1", "2")
    assert went_badly.is_visible() and not went_well.is_visible()
    assert_accessible(page)


def test_the_a11_v2_lists_all_show_without_javascript(
    personas: Personas, live_server: Any, browser: Any
) -> None:
    survey = published_survey(personas.agency_a, blueprint="a11-v2")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/s/{survey.short_code}/")
        assert page.locator("#q-positive").is_visible() and page.locator("#q-negative").is_visible()
        choose_value(page, "question_1", "5")
        choose_value(page, "positive", "ease")
        page.get_by_role("button", name="Submit").click()
        page.locator("#survey-thanks").wait_for()  # the thanks come in the answer to the submission
    finally:
        context.close()
    assert Response.objects.get(survey=survey).answers == {"question_1": 5, "positive": ["ease"]}


def test_the_embedded_form_passes_axe(personas: Personas, live_server: Any, page: Any) -> None:
    survey = published_survey(personas.agency_a)
    page.goto(f"{live_server.url}/s/{survey.short_code}/embed/")
    assert page.locator("form").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("language", ["", "/es"])
def test_the_thank_you_page_passes_axe(
    personas: Personas, live_server: Any, page: Any, language: str
) -> None:
    survey = published_survey(personas.agency_a)
    page.goto(f"{live_server.url}{language}/s/{survey.short_code}/")
    choose(page, "input-satisfaction-4")
    page.locator("main form button[type=submit]").click()
    page.locator("#survey-thanks").wait_for()  # the thanks come in the answer to the submission
    assert_accessible(page)


def test_the_form_reads_well_on_a_phone(personas: Personas, live_server: Any, phone_page: Any) -> None:
    survey = published_survey(personas.agency_a)
    phone_page.goto(f"{live_server.url}/s/{survey.short_code}/")
    widths = phone_page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})"
    )
    assert widths["page"] <= widths["screen"], widths
    assert_accessible(phone_page)


def test_an_invitation_link_opens_the_survey_then_says_it_was_answered(
    personas: Personas, live_server: Any, page: Any
) -> None:
    survey = published_survey(personas.agency_a)
    invitations.add_contacts(actor=None, survey=survey, data=b"email\nana@example.com\n")
    token = invitations.invitation_token(survey.invitations.get())
    page.goto(f"{live_server.url}/s/{survey.short_code}/i/{token}/")
    choose(page, "input-satisfaction-5")
    page.locator("main form button[type=submit]").click()
    page.locator("#survey-thanks").wait_for()  # the thanks come in the answer to the submission
    page.goto(f"{live_server.url}/s/{survey.short_code}/i/{token}/")
    assert "You have already answered" in page.content()
    assert_accessible(page)
    page.goto(f"{live_server.url}/es/s/{survey.short_code}/i/{token}/unsubscribe/")
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert survey.invitations.get().unsubscribed_at is not None
    assert_accessible(page)


@pytest.mark.parametrize("language", ["", "/es"])
def test_a_kiosk_thanks_each_person_and_offers_the_form_afresh_accessibly(
    personas: Personas, live_server: Any, page: Any, phone_page: Any, language: str
) -> None:
    from touchstone.surveys import services as survey_services

    survey = published_survey(personas.agency_a)
    _kiosk, token = survey_services.issue_kiosk(
        actor=None, survey=survey, data={"name": "Lobby tablet", "per_minute": 30}
    )
    for screen in (page, phone_page):
        screen.goto(f"{live_server.url}{language}/s/{survey.short_code}/k/{token}/")
        choose(screen, "input-satisfaction-4")
        screen.locator("main form button[type=submit]").click()
        screen.locator("#survey-thanks").wait_for()
        assert_accessible(screen)
        screen.locator("main a.usa-button").click()
        assert screen.locator("input[name=satisfaction]:checked").count() == 0
    assert Response.objects.filter(survey=survey, kiosk__isnull=False).count() == 2


@pytest.mark.parametrize("language", ["", "/es"])
def test_the_kiosk_and_known_network_pages_pass_axe(
    personas: Personas, live_server: Any, page: Any, phone_page: Any, language: str
) -> None:
    from touchstone.conftest import sign_in

    survey = published_survey(personas.agency_a)
    for screen in (page, phone_page):
        sign_in(screen, live_server, personas.admin_a.username)
        screen.goto(
            f"{live_server.url}{language}/manage/{personas.agency_a.slug}/surveys/{survey.pk}/kiosks/"
        )
        screen.locator("#id_name").fill("Lobby tablet")
        screen.locator("main form.usa-form button[type=submit]").click()
        screen.locator("#kiosk-link").wait_for()
        assert_accessible(screen)
        screen.goto(f"{live_server.url}{language}/manage/{personas.agency_a.slug}/surveys/known-networks/")
        screen.locator("#id_network").fill("not a network")
        screen.locator("#id_label").fill("Field office")
        screen.locator("main form.usa-form button[type=submit]").click()
        assert_accessible(screen)
