"""The reports API: survey reports (with their figures, frozen once issued), customer service plans, A-11 quarterly
collections (read, the per-respondent rows, and submit for review) and action plans of the token's agency."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from touchstone.api import auth
from touchstone.reports import selectors, services
from touchstone.reports.models import A11Collection, ActionPlan, ServicePlan, SurveyReport
from touchstone.surveys.exports import A11_UPLOAD_HEADERS

router = Router(tags=["Reports and plans"])


class ReportOut(Schema):
    id: int
    period: str
    state: str
    summary: str
    changes: str
    actions: str
    approved_at: dt.datetime | None
    published_at: dt.datetime | None
    frozen: bool

    @staticmethod
    def resolve_frozen(obj: SurveyReport) -> bool:
        return obj.is_frozen


class ReportDetailOut(ReportOut):
    figures: dict[str, Any]


class PlanOut(Schema):
    id: int
    fiscal_year: int
    version: int
    state: str
    sections: dict[str, Any]
    approved_at: dt.datetime | None
    published_at: dt.datetime | None


class CollectionOut(Schema):
    id: int
    service: str
    channel: str
    transaction_point: str
    fiscal_year: int
    quarter: int
    volume_of_customers: int | None
    volume_offered: int | None
    volume_of_respondents: int | None
    omb_control_number: str
    federal_register_url: str
    state: str
    due_date: dt.date
    rating: str
    missing: list[str]

    @staticmethod
    def resolve_service(obj: A11Collection) -> str:
        return obj.service.slug

    @staticmethod
    def resolve_missing(obj: A11Collection) -> list[str]:
        return obj.missing()


class CollectionRowsOut(Schema):
    headers: list[str]
    rows: list[list[Any]]


class GoalOut(Schema):
    service: str
    goal: str
    measure: str
    owner: str
    due_date: dt.date


class ActionPlanOut(Schema):
    id: int
    fiscal_year: int
    version: int
    state: str
    capacity_assessment: str
    goals: list[GoalOut]

    @staticmethod
    def resolve_goals(obj: ActionPlan) -> list[dict[str, Any]]:
        return [
            {
                "service": g.service.slug,
                "goal": g.goal,
                "measure": g.measure,
                "owner": g.owner,
                "due_date": g.due_date,
            }
            for g in obj.goals.select_related("service")
        ]


@router.get("/reports/survey-reports", response=list[ReportOut], auth=auth.read)
def list_reports(request: HttpRequest) -> Any:
    return list(selectors.reports_of(auth.token_of(request).agency))


@router.get("/reports/survey-reports/{report_id}", response=ReportDetailOut, auth=auth.read)
def read_report(request: HttpRequest, report_id: int) -> SurveyReport:
    """The report with its figures: frozen as issued, or live for a report not yet issued."""
    report = selectors.report_of(auth.token_of(request).agency, report_id)
    report.figures = selectors.report_figures(report)  # type: ignore[attr-defined]
    return report


@router.get("/reports/plans", response=list[PlanOut], auth=auth.read)
def list_plans(request: HttpRequest) -> Any:
    return list(selectors.plans_of(auth.token_of(request).agency))


@router.get("/reports/plans/{plan_id}", response=PlanOut, auth=auth.read)
def read_plan(request: HttpRequest, plan_id: int) -> ServicePlan:
    return selectors.plan_of(auth.token_of(request).agency, plan_id)


@router.get("/reports/a11-collections", response=list[CollectionOut], auth=auth.read)
def list_collections(request: HttpRequest) -> Any:
    return list(selectors.collections_of(auth.token_of(request).agency))


@router.get("/reports/a11-collections/{collection_id}", response=CollectionOut, auth=auth.read)
def read_collection(request: HttpRequest, collection_id: int) -> A11Collection:
    return selectors.collection_of(auth.token_of(request).agency, collection_id)


@router.get("/reports/a11-collections/{collection_id}/responses", response=CollectionRowsOut, auth=auth.read)
def collection_responses(request: HttpRequest, collection_id: int) -> dict[str, Any]:
    """The per-respondent rows, in exactly the A-11 upload layout."""
    collection = selectors.collection_of(auth.token_of(request).agency, collection_id)
    return {"headers": A11_UPLOAD_HEADERS, "rows": services.collection_rows(collection)}


@router.post("/reports/a11-collections/{collection_id}/submit", response=CollectionOut, auth=auth.write)
def submit_collection(request: HttpRequest, collection_id: int) -> A11Collection:
    """Submit the collection for review; 422 naming what is missing when it is not complete enough."""
    token = auth.token_of(request)
    collection = selectors.collection_of(token.agency, collection_id)
    try:
        return services.move_collection(
            actor=None, actor_label=f"API token {token.name}", collection=collection, to="submitted"
        )
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from error


@router.get("/reports/action-plans", response=list[ActionPlanOut], auth=auth.read)
def list_action_plans(request: HttpRequest) -> Any:
    return list(selectors.action_plans_of(auth.token_of(request).agency))
