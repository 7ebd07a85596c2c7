"""Every workspace page each persona reaches from their menu, in a real browser: axe-core finds nothing, on a phone
(390 px) and a desktop (1280 px), in English and Spanish, and no page scrolls sideways."""

import re
from collections import deque
from typing import Any

import pytest
from django.core.management import call_command

from touchstone.conftest import AXE_SCRIPT
from touchstone.core.demo import DEMO_PASSWORD
from touchstone.core.models import Agency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAS = ["admin", "analyst", "handler", "frontline", "viewer"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Links that download a file or leave the workspace are not pages to check.
NOT_PAGES = re.compile(r"/exports/|\.csv$|\.json$|/attachments/|format=|/results\.csv")
# Several links of one shape (a case, a survey, a standard) make the same page with other data: check one of each.
ID_IN_PATH = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=/)")
MOST_PAGES = 45


def shape(path: str) -> str:
    return ID_IN_PATH.sub("/#", path.split("?", 1)[0])


def workspace_links(page: Any, agency_prefix: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "main a[href], nav.workspace-nav a[href]",
        "links => links.filter(a => !a.hasAttribute('download')).map(a => a.getAttribute('href'))",
    )
    return [h.split("#", 1)[0] for h in hrefs if h.startswith(agency_prefix) and not NOT_PAGES.search(h)]


def crawl_and_check(page: Any, base: str, agency_prefix: str, who: str) -> tuple[int, list[str]]:
    """The agency home, its menu, and the pages those link to (two steps), one page of each shape; each page is
    checked as it is loaded, on a phone and then (the same page, resized) on a desktop."""
    seen_shapes: set[str] = set()
    failures: list[str] = []
    queue = deque([(agency_prefix, 0)])
    while queue and len(seen_shapes) < MOST_PAGES:
        path, depth = queue.popleft()
        if shape(path) in seen_shapes:
            continue
        seen_shapes.add(shape(path))
        page.set_viewport_size(PHONE)
        response = page.goto(base + path)
        if response is None or response.status >= 400:
            failures.append(f"{who} {path}: answered {response and response.status}")
            continue
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            failures.extend(f"{who} {viewport['width']}px {path}: {problem}" for problem in problems_on(page))
        if depth < 2:
            queue.extend((link, depth + 1) for link in workspace_links(page, agency_prefix))
    return len(seen_shapes), failures


def problems_on(page: Any) -> list[str]:
    problems = []
    scroll = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll[0] > scroll[1]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('main *')]
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                              && !e.closest('.table-scroll'))
                 .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
        )
        problems.append(f"scrolls sideways ({scroll[0]} > {scroll[1]}): {wide}")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    for violation in result["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{violation['id']}: {violation['help']} {targets}")
    return problems


def sign_in_as(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/sign-in/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_every_workspace_page_of_every_persona_passes_axe_on_a_phone_and_a_desktop_in_both_languages(
    live_server: Any, browser: Any
) -> None:
    call_command("load_demo", verbosity=0)
    slug = Agency.objects.get(abbreviation="BA").slug
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    failures: list[str] = []
    checked: dict[str, int] = {}
    try:
        for username in PERSONAS:
            for language in ("", "/es"):
                sign_in_as(page, live_server.url, username)
                prefix = f"{language}/manage/{slug}/"
                checked[username + language], found = crawl_and_check(page, live_server.url, prefix, username)
                failures.extend(found)
    finally:
        context.close()
    assert checked["admin"] >= 25 and checked["viewer/es"] >= 10, checked  # the crawl really went round
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_signed_in_the_language_switch_and_sign_out_sit_below_the_banner_and_work(
    personas: Any, live_server: Any, browser: Any, viewport: dict[str, int]
) -> None:
    from touchstone.conftest import sign_in

    context = browser.new_context(bypass_csp=True, viewport=viewport)
    page = context.new_page()
    try:
        sign_in(page, live_server, personas.admin_a.username)
        page.goto(f"{live_server.url}/manage/{personas.agency_a.slug}/")
        if viewport is PHONE:
            page.get_by_role("button", name="Menu").click()
            page.wait_for_function(  # the menu slides in from the side
                "() => { const r = document.querySelector('.usa-nav').getBoundingClientRect();"
                " return r.right <= window.innerWidth + 0.5; }"
            )
            page.wait_for_timeout(400)
        banner = page.locator("section.usa-banner").bounding_box()
        switch = page.get_by_role("button", name="Español")
        sign_out = page.get_by_role("button", name="Sign out")
        for control in (switch, sign_out):
            assert control.is_visible()
            box = control.bounding_box()
            assert box is not None and banner is not None
            assert box["y"] >= banner["y"] + banner["height"], "the control sits over the government banner"
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            assert page.evaluate(
                "([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.textContent.trim()",
                [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
            ) in ("Español", "Sign out")
        switch.click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.url.endswith(f"/es/manage/{personas.agency_a.slug}/")
    finally:
        context.close()


def test_the_overseers_pages_pass_axe_on_a_phone_and_a_desktop_in_both_languages(
    live_server: Any, browser: Any
) -> None:
    call_command("load_demo", verbosity=0)
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    failures: list[str] = []
    checked: dict[str, int] = {}
    try:
        for language in ("", "/es"):
            sign_in_as(page, live_server.url, "overseer")
            prefix = f"{language}/manage/oversight/"
            checked[language], found = crawl_and_check(page, live_server.url, prefix, "overseer")
            failures.extend(found)
    finally:
        context.close()
    assert checked[""] >= 1 and checked["/es"] >= 1, checked
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
