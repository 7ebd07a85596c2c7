"""Public pages of service standards (EO 12862 §1(c) "post"): each agency's promises and results, and a
government-wide comparison. Only standards and aggregate results are shown, never transactions."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from touchstone.benchmarks import selectors as benchmark_selectors
from touchstone.core import selectors as core_selectors
from touchstone.standards import selectors


def agency_standards(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency = core_selectors.public_agency(agency_slug)
    summaries = selectors.public_standards(agency)
    benchmarks = benchmark_selectors.public_benchmarks(agency, summaries)
    items: list[dict[str, Any]] = []
    for index, summary in enumerate(summaries):
        chart = selectors.control_chart_of(summary.standard) if len(summary.recent) > 1 else None
        items.append(
            {
                "summary": summary,
                "chart": chart,
                "chart_id": f"standard-chart-{index}",
                "benchmark": benchmarks.get(summary.standard.pk),
            }
        )
    verdicts = [summary.latest.verdict for summary in summaries if summary.latest is not None]
    met = verdicts.count("met")
    measured = met + verdicts.count("not_met")
    return render(
        request,
        "portal/standards/agency.html",
        {"agency": agency, "items": items, "met": met, "measured": measured},
    )


def government_wide(request: HttpRequest) -> HttpResponse:
    rows = selectors.government_wide()
    rows.sort(key=lambda pair: (-(pair[1].share_met or -1), pair[0].name))
    return render(request, "portal/standards/government.html", {"rows": rows})
