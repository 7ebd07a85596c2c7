"""Error pages in the site's own look, in the visitor's language."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception) if exception else ""}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: whatever failed may fail again while rendering them.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
