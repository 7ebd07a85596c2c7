"""API of employee voice: aggregates only, never an individual answer, and never the author of an anonymous item.

Survey results come from the same selector as the workspace page, so suppression is applied before anything
leaves: a group below the agency's minimum, and its cover, are null.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from touchstone.api import auth
from touchstone.api.pagination import Pagination
from touchstone.voice import selectors
from touchstone.voice.models import BoardItem

router = Router(tags=["Employee voice"])


class EmployeeSurveyOut(Schema):
    id: int
    title: str
    status: str


class ShareOut(Schema):
    label: str
    count: int | None
    share: float | None


class QuestionOut(Schema):
    key: str
    text: str
    n: int | None
    favorable: float | None
    favorable_interval: list[float] | None
    shares: list[ShareOut]


class BreakdownRowOut(Schema):
    label: str
    respondents: int | None
    favorable: list[float | None]


class BreakdownOut(Schema):
    key: str
    text: str
    columns: list[str]
    rows: list[BreakdownRowOut]


class ReleaseOut(Schema):
    number: int
    month: str
    respondents: int | None
    epsilon: float | None


class TrendOut(Schema):
    key: str
    text: str
    favorable: list[float | None]


class PrivacyOut(Schema):
    budget: float
    per_release: float
    spent: float
    margin: int | None


class ResultsOut(Schema):
    survey_id: int
    minimum: int
    release: ReleaseOut | None
    releases: list[ReleaseOut]
    respondents: int | None
    questions: list[QuestionOut]
    breakdowns: list[BreakdownOut]
    trend: list[TrendOut]
    privacy: PrivacyOut | None
    comments: dict[str, list[str]]


class BoardItemOut(Schema):
    id: UUID
    kind: str
    summary: str
    text: str
    barrier_kind: str
    service_id: int | None
    journey_stage_id: int | None
    status: str
    reply: str
    supports: int
    author: str | None
    month: str
    standard_id: int | None
    topic_id: int | None

    @staticmethod
    def resolve_supports(obj: BoardItem) -> int:
        return int(obj.support_count)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_author(obj: BoardItem) -> str | None:
        if obj.author is None:
            return None
        return obj.author.get_full_name() or obj.author.get_username()

    @staticmethod
    def resolve_month(obj: BoardItem) -> str:
        return f"{obj.period:%Y-%m}"


@router.get("/voice/surveys", response=list[EmployeeSurveyOut], auth=auth.read)
def list_employee_surveys(request: HttpRequest) -> Any:
    return selectors.employee_surveys(auth.token_of(request).agency)


@router.get("/voice/surveys/{survey_id}/results", response=ResultsOut, auth=auth.read)
def employee_survey_results(
    request: HttpRequest, survey_id: int, language: str = "en", release: int | None = None
) -> dict[str, Any]:
    """One release's figures (the latest unless `release` names one), with suppression applied: null where a cell
    rests on too few people, or covers one that does. Nothing between releases is ever returned."""
    survey = selectors.employee_survey_of(auth.token_of(request).agency, survey_id)
    results = selectors.survey_results(survey, "es" if language == "es" else "en", release)
    return {
        "survey_id": survey.pk,
        "minimum": results.minimum,
        "release": results.release,
        "releases": results.releases,
        "respondents": results.respondents,
        "questions": results.questions,
        "breakdowns": results.breakdowns,
        "trend": results.trend,
        "privacy": results.privacy,
        "comments": results.comments,
    }


@router.get("/voice/board", response=list[BoardItemOut], auth=auth.read)
@paginate(Pagination)
def list_board_items(request: HttpRequest, status: str = "", kind: str = "") -> Any:
    """Items on the board, most supported first. Anonymous items have a null author; supporters are never listed."""
    return selectors.board_items(auth.token_of(request).agency, status=status, kind=kind)
