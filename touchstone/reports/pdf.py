"""Tagged, accessible PDF of the survey report and the plan (WeasyPrint, PDF/UA-1): the document's language and
title, headings that become bookmarks, a table of contents, alt text on every chart, tables with header cells."""

import base64
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from touchstone.analysis.computation import A11_MEASURES
from touchstone.core import charts

_SVG = re.compile(r"<svg.*</svg>", re.DOTALL)


def chart_image(svg_html: str, alt: str) -> SafeString:
    """The chart's SVG as an image with alt text: the form a tagged PDF carries as a Figure with /Alt."""
    match = _SVG.search(str(svg_html))
    svg = match.group(0) if match else ""
    data = base64.b64encode(svg.encode()).decode()
    return mark_safe(f'<img class="chart" src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}">')  # noqa: S308


def a11_chart(survey: dict[str, Any], labels: dict[str, str], title: str) -> SafeString:
    rows = sorted(
        survey["a11"], key=lambda r: A11_MEASURES.index(r["measure"]) if r["measure"] in A11_MEASURES else 99
    )
    return charts.interval_bars(
        title,
        [
            charts.Interval(
                labels.get(r["measure"], r["measure"]), r.get("value"), r.get("ci_low"), r.get("ci_high")
            )
            for r in rows
        ],
    )


def render_pdf(request: HttpRequest, template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "pdf": True}, request=request)
    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(pdf_variant="pdf/ua-1")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
