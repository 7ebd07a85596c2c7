"""The JSON API at /api/v1/. Routers are thin: each calls an app's selectors and services."""

from typing import Any

from ninja import NinjaAPI

from touchstone.api import errors
from touchstone.api.openapi import document_errors
from touchstone.api.routers import agencies, analysis, catalog, complaints, imports, standards, surveys, voice
from touchstone.api.routers import benchmarks as benchmark_routes
from touchstone.api.routers import reports as reports_router


class TouchstoneAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(**kwargs))


api = TouchstoneAPI(
    title="Touchstone API",
    version="1",
    description="Customer service standards for public agencies (Executive Order 12862). "
    "Authenticate with an agency API token: `Authorization: Bearer ts_...`.",
    urls_namespace="api",
    docs_url=None,  # the accessible reference at /api/v1/docs replaces the Swagger explorer
)
errors.install(api)
api.add_router("/", agencies.router)
api.add_router("/", imports.router)
api.add_router("/", catalog.router)
api.add_router("/", surveys.router)
api.add_router("/", analysis.router)
api.add_router("/", voice.router)
api.add_router("/", standards.router)
api.add_router("/", complaints.router)
api.add_router("/", reports_router.router)
api.add_router("/", benchmark_routes.router)
