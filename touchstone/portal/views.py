"""The public site: what each agency is, where to find it. Templates and views only; reads through selectors."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from touchstone.core import selectors


def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    agencies = selectors.public_agencies()
    if query:
        agencies = agencies.filter(name__icontains=query) | agencies.filter(abbreviation__iexact=query)
    return render(request, "portal/home.html", {"agencies": agencies, "query": query})


def agency(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency = selectors.public_agency(agency_slug)
    return render(
        request,
        "portal/agency.html",
        {
            "agency": agency,
            "offices": selectors.offices_of(agency),
            "sub_agencies": agency.sub_agencies.order_by("name"),
        },
    )
