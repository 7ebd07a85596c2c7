"""The public plan and survey report in a real browser: axe-clean, no sideways scroll at 390 px, in both languages."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible
from touchstone.reports import services
from touchstone.reports.models import PLAIN_LANGUAGE_CHECKS, PlanSection
from touchstone.reports.tests.helpers import surveyed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def publish_both(personas: Personas) -> None:
    surveyed(personas.agency_a, 40, 30)
    report = services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")
    services.write_report(
        actor=personas.analyst_a,
        report=report,
        data={"summary": "Most were satisfied.", "summary_es": "La mayoría quedó satisfecha."},
    )
    plan = services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    for section in PlanSection.values:
        services.write_plan_section(
            actor=None,
            plan=plan,
            section=section,
            english="We help you. Call us any weekday.",
            spanish="Le ayudamos. Llámenos de lunes a viernes.",
            checks=list(PLAIN_LANGUAGE_CHECKS),
        )
    plan.refresh_from_db()
    for document in (report, plan):
        for state in ("in_review", "approved", "published"):
            document = services.move_document(actor=personas.admin_a, document=document, to=state)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_public_plan_and_report_are_accessible_on_a_phone(
    personas: Personas, browser: Any, live_server: Any, language: str
) -> None:
    publish_both(personas)
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    prefix = "/es" if language == "es" else ""
    for path in ("customer-service-plan/", "survey-report/"):
        page.goto(f"{live_server.url}{prefix}/agencies/{personas.agency_a.slug}/{path}")
        assert page.evaluate("document.documentElement.lang") == language
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page)
    context.close()
