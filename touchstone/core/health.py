"""Liveness and readiness for load balancers and orchestrators, answered before any other middleware.

`/healthz` says the process answers (no database, no cache: a restart would not help a database outage).
`/readyz` says this process can serve now: the database, the cache and the transaction store all answer. Both are
answered first in the middleware chain, so a probe needs no allowed host name, no HTTPS and no session, and
neither writes a log line or names an error's details (a probe's reader sees which part failed, nothing more).
"""

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def database_answers() -> None:
    for connection in connections.all(initialized_only=False):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")


def cache_answers() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, 1, timeout=10)
    if cache.get(key) != 1:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def store_answers() -> None:
    from touchstone.standards import store

    store.check_reachable()


CHECKS: dict[str, Callable[[], None]] = {
    "database": database_answers,
    "cache": cache_answers,
    "transaction_store": store_answers,
}


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001  (any failure means not ready; its class says which kind)
            results[name] = f"failing: {type(error).__name__}"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers the two probe paths (with or without a trailing slash) and nothing else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path == LIVENESS_PATH:
            return self.no_store(JsonResponse({"status": "alive"}))
        if path == READINESS_PATH:
            ready, checks = readiness()
            status = "ready" if ready else "not ready"
            return self.no_store(
                JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)
            )
        return self.get_response(request)

    @staticmethod
    def no_store(response: HttpResponse) -> HttpResponse:
        response["Cache-Control"] = "no-store"
        return response
