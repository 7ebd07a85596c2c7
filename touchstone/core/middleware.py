"""Responses that hold an agency's or a person's private records are never kept by a browser or a proxy cache."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# The workspace, the API, and the public pages that show one person's case or let them set a password.
PRIVATE_PATHS = re.compile(
    r"^/(?:api/v1/|(?:[a-z]{2}/)?(?:manage|sign-in|password-reset|complaints/status|complaints/follow-up)/)"
)


class NoStoreForPrivatePages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if PRIVATE_PATHS.match(request.path):
            # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
            add_never_cache_headers(response)
        return response
