"""The public service directory (EO §1(g)): find a service, see who it is for and every way to get it."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from touchstone.catalog import selectors
from touchstone.catalog.channels import is_digital
from touchstone.catalog.forms import DirectoryForm
from touchstone.core.selectors import public_agency
from touchstone.improvement.presentation import public_change
from touchstone.improvement.selectors import public_story

PAGE_SIZE = 25


def directory(request: HttpRequest, agency_slug: str | None = None) -> HttpResponse:
    agency = public_agency(agency_slug) if agency_slug else None
    form = DirectoryForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.DirectoryFilters(
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        segment_kind=data.get("segment", ""),
        channel=data.get("channel", ""),
        agency=agency,
    )
    page = Paginator(selectors.published_services(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "portal/catalog/directory.html",
        {"agency": agency, "form": form, "page": page, "query_string": query_string.urlencode()},
    )


def service(request: HttpRequest, agency_slug: str, service_slug: str) -> HttpResponse:
    found = selectors.published_service(agency_slug, service_slug)
    channels = list(found.channels.all())
    story = public_story(found)
    return render(
        request,
        "portal/catalog/service.html",
        {
            "service": found,
            "agency": found.agency,
            "online": [row for row in channels if is_digital(row.channel)],
            "offline": [row for row in channels if not is_digital(row.channel)],
            "segments": [link.segment for link in found.segment_links.all()],
            "places": [
                p for p in found.providers.all() if p.address or (p.office and p.office.street_address)
            ],
            "partners": [p for p in found.providers.all() if p.kind != "agency_office"],
            "story": story,
            "changes": [public_change(change, (get_language() or "en")[:2]) for change in story.changes],
        },
    )
