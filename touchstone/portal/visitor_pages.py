"""Public pages that are the same for every visitor without a session but for a few values of each request (the
CSRF token, the page's own address, the form's stamp): drawn once per process and completed per request, so a
survey link followed by hundreds of thousands of people does not run the template engine for each of them."""

import secrets
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape

from touchstone.core.ttl import TimedMemo

PAGES = TimedMemo(seconds=300, most=2000)
_MARK = secrets.token_hex(8)
CSRF_MARK = f"csrf{_MARK}"
PATH_MARK = f"path{_MARK}"


def mark(name: str) -> str:
    """A placeholder for a per-request value `name`, to pass in the context and then in `per_request`."""
    return f"{name}{_MARK}"


class _MarkedRequest:
    """The request as the drawn template sees it: its address is a placeholder, the rest is the request's."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def get_full_path(self) -> str:
        return PATH_MARK

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def is_plain_visitor(request: HttpRequest) -> bool:
    """No session and no messages waiting: signed out, so the page shows nothing of the visitor's own."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def render_for_visitor(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    key: Hashable,
    per_request: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """`render`, drawn once for `key` (which must name everything the page shows) when the visitor is plain."""
    per_request = per_request or {}
    if not is_plain_visitor(request):
        values = {name: value for name, value in per_request.items()}
        return render(request, template, {**context, **values}, status=status)

    def draw() -> str:
        marked = {**context, **{name: mark(name) for name in per_request}}
        return render_to_string(
            template, {**marked, "csrf_token": CSRF_MARK, "request": _MarkedRequest(request)}, request=request
        )

    html: str = PAGES.get(key, draw)
    html = html.replace(CSRF_MARK, get_token(request)).replace(PATH_MARK, escape(request.get_full_path()))
    for name, value in per_request.items():
        html = html.replace(mark(name), escape(value))
    return HttpResponse(html, status=status)
