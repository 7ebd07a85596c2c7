"""Template tags of the reports app: which public documents an agency's portal page links to."""

from typing import Any

from django import template

from touchstone.core.models import Agency
from touchstone.reports import selectors

register = template.Library()


@register.simple_tag
def published_documents(agency: Agency) -> dict[str, Any]:
    """The agency's current published plan and issued survey report (either may be None)."""
    return {"plan": selectors.published_plan(agency), "report": selectors.published_report(agency)}
