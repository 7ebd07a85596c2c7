"""Control charts in a real browser: sane coordinates and no console errors in Spanish, labels readable at 100%
zoom on a desktop and on a 390 px phone, no overlapping labels, and the chart and its table within the page."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible, sign_in
from touchstone.standards.models import ServiceStandard
from touchstone.standards.tests.test_browser import seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE_CHARTS = """() => [...document.querySelectorAll('svg[role=img]:not([aria-hidden=true])')].map(svg => {
  const scale = svg.getScreenCTM().a;
  const texts = [...svg.querySelectorAll('text')];
  const rects = texts.map(t => t.getBoundingClientRect());
  const overlaps = [];
  rects.forEach((a, i) => rects.slice(i + 1).forEach((b, j) => {
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
      overlaps.push([texts[i].textContent, texts[i + 1 + j].textContent]);
    }
  }));
  const figure = svg.closest('figure') || svg;
  return {
    smallest: Math.min(...texts.map(t => parseFloat(t.getAttribute('font-size')) * scale)),
    overlaps,
    right: figure.getBoundingClientRect().right,
    coordinates: [...svg.querySelectorAll('circle, line, polyline, rect')].flatMap(
      el => ['cx', 'cy', 'x1', 'x2', 'y1', 'y2', 'x', 'y', 'width', 'height', 'points']
        .map(name => [name, el.getAttribute(name)]).filter(pair => pair[1] !== null)),
  };
})"""


def _check_charts(page: Any, expected: int, at_least: bool = False, whole_page: bool = True) -> None:
    charts = page.evaluate(MEASURE_CHARTS)
    assert len(charts) >= expected if at_least else len(charts) == expected
    width = page.evaluate("window.innerWidth")
    for chart in charts:
        for name, value in chart["coordinates"]:
            pairs = value.split() if name == "points" else [value]
            for pair in pairs:
                numbers = pair.split(",")
                assert len(numbers) == (2 if name == "points" else 1), f"localised {name}: {value}"
                assert all(float(number) >= 0 for number in numbers), f"{name}={value}"
        assert chart["smallest"] >= 11.9, f"a chart label is {chart['smallest']:.1f} px"
        assert not chart["overlaps"], f"labels overlap: {chart['overlaps']}"
        assert chart["right"] <= width, "the chart runs off the page"
    if whole_page:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, "the page scrolls sideways"


def _console_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.parametrize("width", [1280, 390])
def test_spanish_public_charts_have_sane_coordinates_and_readable_labels(
    personas: Personas, live_server: Any, browser: Any, width: int
) -> None:
    seed(personas)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = _console_errors(page)
    page.goto(f"{live_server.url}/es/agencies/aaa/standards/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert not errors, errors
    _check_charts(page, 2)
    assert page.locator("figure svg[role=img] circle").count() >= 12
    assert_accessible(page)
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_workspace_control_chart_reads_well_in_spanish_on_desktop_and_phone(
    personas: Personas, live_server: Any, browser: Any, width: int
) -> None:
    seed(personas)
    standard = ServiceStandard.objects.filter(agency=personas.agency_a, results__isnull=False).first()
    assert standard is not None
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, personas.analyst_a.username)
    errors = _console_errors(page)
    page.goto(f"{live_server.url}/es/manage/{personas.agency_a.slug}/standards/{standard.pk}/")
    assert not errors, errors
    _check_charts(page, 1)
    assert page.locator("[data-chart-kind]").count() == 1
    assert_accessible(page)
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_survey_analysis_charts_read_well_in_spanish_on_desktop_and_phone(
    personas: Personas, live_server: Any, browser: Any, width: int
) -> None:
    from touchstone.analysis.tests.helpers import add_responses
    from touchstone.surveys.tests.factories import published_survey

    survey = published_survey(personas.agency_a, minimum_to_show=30)
    add_responses(survey, 120, channel=lambda rng, i: ["website", "phone", "in_person"][i % 3])
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, personas.viewer_a.username)
    errors = _console_errors(page)
    for path in ("", "drivers/"):
        page.goto(f"{live_server.url}/es/manage/{personas.agency_a.slug}/analysis/{survey.pk}/{path}")
        assert not errors, errors
        # The charts only: the analysis tables' own phone layout is the workspace tables' work (issue 12).
        _check_charts(page, 1, at_least=True, whole_page=False)
    context.close()
