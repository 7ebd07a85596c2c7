"""The public service page and the workspace service page, in a real browser at 390 px and on a desktop, in
English and Spanish, checked by axe-core."""

import datetime as dt
from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible, sign_in
from touchstone.improvement import services
from touchstone.improvement.tests.factories import answer, consenting_survey
from touchstone.improvement.tests.test_actions import action_data, monthly_ease
from touchstone.improvement.tests.test_public_page import published_service
from touchstone.improvement.tests.test_service_page import cases, standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed(personas: Personas) -> Any:
    service = published_service(personas)
    standard(service, 24)
    cases(service, 20)
    months = monthly_ease(service, 20, 0.12)
    done = months[19] - dt.timedelta(days=1)
    data = action_data(
        personas, status="done", done_on=done, starts_on=done - dt.timedelta(days=9), due_on=done
    )
    services.save_action(
        actor=None,
        agency=personas.agency_a,
        service=service,
        data={**data, "published": True, "title_es": "Cartas en lenguaje claro"},
    )
    services.save_rule(
        actor=None,
        agency=personas.agency_a,
        data={"service": None, "score_at_most": 2, "on_negative_comment": True, "owner": personas.handler_a},
    )
    answer(consenting_survey(personas.agency_a, service), satisfaction=1, may_we_contact="yes")
    services.open_follow_ups(personas.agency_a)
    return service


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_public_service_page_tells_the_story_and_passes_axe(
    personas: Personas, browser: Any, live_server: Any, language: str, width: int
) -> None:
    service = seed(personas)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}{language}/agencies/{personas.agency_a.slug}/services/{service.slug}/")
    text = page.content()
    assert ("Cartas en lenguaje claro" if language else "Plain-language letters") in text
    assert ("Funcionó" if language else "It worked") in text
    assert_accessible(page)
    assert no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_workspace_pages_pass_axe(
    personas: Personas, browser: Any, live_server: Any, language: str, width: int
) -> None:
    service = seed(personas)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "admin-a")
    base = f"{live_server.url}{language}/manage/{personas.agency_a.slug}/improvement/"
    action = service.improvement_actions.first()
    follow_up = services.FollowUp.objects.first()
    for path in [
        "",
        f"services/{service.pk}/",
        f"actions/{action.pk}/",
        f"services/{service.pk}/actions/new/",
        "follow-ups/",
        f"follow-ups/{follow_up.pk}/",
        "follow-up-rules/",
        "alerts/",
    ]:
        page.goto(base + path)
        assert page.locator("h1").is_visible()
        assert_accessible(page)
        assert no_sideways_scroll(page), f"{path} scrolls sideways at {width} px"
    context.close()
