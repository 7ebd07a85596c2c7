"""The standards API: standards and their results per period, and transactions in (single or batch, idempotent)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from touchstone.api import auth
from touchstone.api.pagination import Pagination
from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.core.models import Agency, Office
from touchstone.standards import measurement, selectors, services
from touchstone.standards.models import PeriodResult, ServiceStandard

router = Router(tags=["Service standards"])
MAX_BATCH = 5000


class StandardOut(Schema):
    id: int
    lineage: str
    version: int
    service: str
    channel: str
    statement: str
    statement_es: str
    standard_type: str
    measure: str
    threshold: float | None
    threshold_op: str = Field(description="lte: at most the threshold; lt: less than it.")
    survey_measure: str
    target: float | None
    period: str
    window_duration: str = Field(
        description="The time window the target is judged over (28d, 2w, 1M); empty: the period."
    )
    window_is_rolling: bool
    budgeting_method: str
    timeslice_target: float | None
    timeslice_window: str
    valid_from: dt.date
    valid_until: dt.date | None

    @staticmethod
    def resolve_service(obj: ServiceStandard) -> str:
        return obj.service.slug

    @staticmethod
    def resolve_lineage(obj: ServiceStandard) -> str:
        return str(obj.lineage)


class ResultOut(Schema):
    period_start: dt.date
    period_end: dt.date
    label: str
    version: int
    volume_met: int | None
    total: int | None
    performance: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: str
    source: str
    published_performance: float | None
    discrepancy: bool
    discrepancy_note: str

    @staticmethod
    def resolve_version(obj: PeriodResult) -> int:
        return obj.standard.version


class TransactionIn(Schema):
    external_id: str = Field(..., min_length=1, max_length=100)
    service: str = Field(..., description="The service's web address name (slug) or its external identifier")
    channel: str
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    outcome: bool | None = None
    office: str | None = Field(None, description="The office's name")
    segment: str = Field("", max_length=100)


class TransactionBatchIn(Schema):
    transactions: list[TransactionIn] = Field(..., max_length=MAX_BATCH)


class TransactionsOut(Schema):
    received: int
    created: int
    updated: int
    results: int
    alerts: int


@router.get("/standards", response=list[StandardOut], auth=auth.read)
@paginate(Pagination)
def list_standards(request: HttpRequest, include_versions: bool = False) -> Any:
    """The token's agency's standards: current versions, or every version with include_versions=true."""
    return selectors.standards_of(auth.token_of(request).agency, current_only=not include_versions)


@router.get("/standards/{standard_id}", response=StandardOut, auth=auth.read)
def read_standard(request: HttpRequest, standard_id: int) -> ServiceStandard:
    return selectors.standard_of(auth.token_of(request).agency, standard_id)


@router.get("/standards/{standard_id}/results", response=list[ResultOut], auth=auth.read)
def standard_results(request: HttpRequest, standard_id: int) -> Any:
    """Every period's result, each judged by the version of the standard that governed it."""
    standard = selectors.standard_of(auth.token_of(request).agency, standard_id)
    return list(selectors.results_of(standard))


def _resolve(agency: Agency, items: list[TransactionIn]) -> list[dict[str, Any]]:
    services_by_key: dict[str, Service] = {}
    for service in Service.objects.filter(agency=agency):
        services_by_key.setdefault(service.slug, service)
        if service.external_id:
            services_by_key.setdefault(service.external_id, service)
    offices = {office.name: office for office in Office.objects.filter(agency=agency)}
    problems = []
    records = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"transactions[{index}]"
        wanted = services_by_key.get(item.service)
        if wanted is None:
            problems.append(f"{where}.service: no service “{item.service}” in this agency")
        if item.channel not in Channel.values:
            problems.append(f"{where}.channel: “{item.channel}” is not a channel")
        office = offices.get(item.office) if item.office else None
        if item.office and office is None:
            problems.append(f"{where}.office: no office “{item.office}” in this agency")
        started = (
            item.started_at if timezone.is_aware(item.started_at) else timezone.make_aware(item.started_at)
        )
        ended = item.ended_at
        if ended is not None and not timezone.is_aware(ended):
            ended = timezone.make_aware(ended)
        if ended is not None and ended < started:
            problems.append(f"{where}.ended_at: ends before it starts")
        for moment in (started, ended):
            if moment is not None and not (
                measurement.CALENDAR_FIRST <= moment.date() <= measurement.CALENDAR_LAST
            ):
                problems.append(f"{where}: dates must fall between 2000 and 2060")
        if item.external_id in seen:
            problems.append(f"{where}.external_id: “{item.external_id}” appears twice in this batch")
        seen.add(item.external_id)
        records.append(
            {
                "external_id": item.external_id,
                "service": wanted,
                "channel": item.channel,
                "office": office,
                "started_at": started,
                "ended_at": ended,
                "outcome": item.outcome,
                "segment": item.segment,
            }
        )
    if problems:
        raise HttpError(422, "; ".join(problems[:50]))
    return records


def _record(request: HttpRequest, items: list[TransactionIn]) -> dict[str, int]:
    token = auth.token_of(request)
    records = _resolve(token.agency, items)
    return services.record_transactions(
        agency=token.agency, records=records, actor_label=f"API token {token.name}"
    )


@router.post("/transactions", response={200: TransactionsOut}, auth=auth.write)
def post_transaction(request: HttpRequest, payload: TransactionIn) -> dict[str, int]:
    """One transaction; sending the same external_id again updates it (safe to retry)."""
    return _record(request, [payload])


@router.post("/transactions/batch", response={200: TransactionsOut}, auth=auth.write)
def post_transactions(request: HttpRequest, payload: TransactionBatchIn) -> dict[str, int]:
    """Up to 5,000 transactions, all or none; idempotent by external_id."""
    return _record(request, payload.transactions)
