"""Error pages in the site's own look, in the visitor's language."""

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from touchstone.core.middleware import DATABASE_ERRORS, database_unavailable, is_api, problem_response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception) if exception else ""}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the error is being handled: a database gone away (raised anywhere, a middleware included)
    # is a 503 to retry, and the API answers in JSON.
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable(request)
    if is_api(request):
        return problem_response(
            500, "Server error", "Something went wrong on our side; nothing you sent caused it."
        )
    # No context processors: whatever failed may fail again while rendering them.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
