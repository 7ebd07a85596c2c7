"""The knowledge base's public pages and the help desk's new workspace pages in a real browser, checked by axe-core
at 390 px and 1280 px, in English and Spanish, with no sideways scroll."""

from typing import Any

import pytest

from touchstone.complaints import services
from touchstone.complaints.models import CaseMessage
from touchstone.complaints.tests.factories import file_case
from touchstone.complaints.tests.test_knowledge_base import articles
from touchstone.conftest import Personas, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page: Any, url: str, width: int) -> None:
    page.goto(url)
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{url} scrolls sideways at {width} px"


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_answers_and_the_help_desk_pages_pass_axe_on_a_phone_and_a_desktop(
    personas: Personas, browser: Any, live_server: Any, language: str, width: int
) -> None:
    cards, public, _internal = articles(personas)
    case = file_case(personas, "I lost my benefit card and it was never replaced.", channel="email")
    message = services.send_message(actor=personas.handler_a, case=case, body="We are checking.")
    CaseMessage.objects.filter(pk=message.pk).update(email_message_id="<m1@a.gov>")
    services.mark_bounced(message=CaseMessage.objects.get(pk=message.pk), status="5.1.1")
    services.split_case(actor=personas.handler_a, case=case, narrative="The office was rude.")
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    base, slug = f"{live_server.url}{language}", personas.agency_a.slug
    check(page, f"{base}/agencies/{slug}/complaints/new/?topic={cards.pk}", width)
    assert page.locator("#suggested-answers a").count() == 1
    page.locator("#suggested-answers a").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    check(page, f"{base}/agencies/{slug}/complaints/answers/", width)
    page.locator("#answer-topic").select_option(str(cards.pk))
    page.locator("form[method=get] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#suggested-answers a").count() == 1
    assert_accessible(page)
    sign_in(page, live_server, "admin-a")
    for path in [
        "",
        f"cases/{case.pk}/",
        f"cases/{case.pk}/split/",
        "setup/",
        "setup/email/",
        "setup/answers/new/",
        f"setup/answers/{public.pk}/",
    ]:
        check(page, f"{base}/manage/{slug}/complaints/{path}", width)
    context.close()
