"""Public pages of the customer service plan (EO 12862 §3) and the survey report (§2): the version the agency
published last, in English, or in Spanish where the agency wrote the Spanish text; as a page and as a tagged PDF."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from touchstone.core import selectors as core_selectors
from touchstone.reports import pdf, selectors
from touchstone.reports.views import plan_context, report_context


def _language() -> str:
    return "es" if (get_language() or "en").startswith("es") else "en"


def _plan(agency_slug: str) -> tuple[Any, Any]:
    agency = core_selectors.public_agency(agency_slug)
    plan = selectors.published_plan(agency)
    if plan is None:
        raise Http404("This agency has not published a customer service plan.")
    return agency, plan


def _report(agency_slug: str) -> tuple[Any, Any]:
    agency = core_selectors.public_agency(agency_slug)
    report = selectors.published_report(agency)
    if report is None:
        raise Http404("This agency has not issued a survey report.")
    return agency, report


def _report_context(agency: Any, report: Any) -> dict[str, Any]:
    return {**report_context(report, _language()), "agency": agency}


def plan(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency, found = _plan(agency_slug)
    return render(request, "portal/reports/plan.html", {**plan_context(found, _language()), "agency": agency})


def plan_pdf(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency, found = _plan(agency_slug)
    context = {**plan_context(found, _language()), "agency": agency}
    return pdf.render_pdf(
        request, "reports/plan_pdf.html", context, f"customer-service-plan-{found.fiscal_year}.pdf"
    )


def report(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency, found = _report(agency_slug)
    return render(request, "portal/reports/report.html", _report_context(agency, found))


def report_pdf(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency, found = _report(agency_slug)
    context = _report_context(agency, found)
    return pdf.render_pdf(request, "reports/report_pdf.html", context, f"survey-report-{found.period}.pdf")
