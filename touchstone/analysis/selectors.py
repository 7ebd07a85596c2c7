"""Every read of survey analysis, scoped to the agency through the survey."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from touchstone.analysis.computation import ResponseFrame, WeightingError, WeightingSetup
from touchstone.analysis.models import ALL_PERIODS, WEIGHTING_VARIABLES, AnalysisResult, WeightingScheme
from touchstone.catalog.channels import Channel
from touchstone.core import numbers
from touchstone.core.fiscal import FiscalQuarter, fiscal_quarter
from touchstone.core.models import Agency
from touchstone.surveys.models import Invitation, Response, Survey


def surveys_to_analyse(agency: Agency) -> QuerySet[Survey]:
    """The agency's surveys that have a published version, with their complete responses counted."""
    return (
        Survey.objects.filter(agency=agency, current_version__isnull=False)
        .select_related("service")
        .annotate(
            complete_count=Count(
                "responses", filter=Q(responses__status="complete", responses__is_spam=False)
            )
        )
        .order_by("title", "pk")
    )


def normalise_period(period: str | None) -> str:
    """'all', or a fiscal quarter written as 'FY2026 Q1'; ValueError for anything else."""
    if not period or period == ALL_PERIODS:
        return ALL_PERIODS
    return FiscalQuarter.parse(period).label


def analysed_responses(survey: Survey, period: str = ALL_PERIODS) -> QuerySet[Response]:
    responses = Response.objects.filter(survey=survey, status=Response.Status.COMPLETE, is_spam=False)
    if period != ALL_PERIODS:
        quarter = FiscalQuarter.parse(period)
        start = timezone.make_aware(dt.datetime.combine(quarter.start, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(quarter.next().start, dt.time.min))
        responses = responses.filter(submitted_at__gte=start, submitted_at__lt=end)
    return responses


def response_frame(survey: Survey, period: str = ALL_PERIODS) -> ResponseFrame:
    """The survey's complete responses for the period as columns (answers, respondent variables, design)."""
    fields = (
        "answers",
        "submitted_at",
        "channel",
        "service__slug",
        "office__name",
        "location",
        "language",
        "weight",
        "stratum",
        "cluster",
        "population_size",
    )
    columns: dict[str, list[Any]] = {name: [] for name in fields}
    rows = analysed_responses(survey, period).order_by().values_list(*fields)
    for row in rows.iterator(chunk_size=20000):
        for name, value in zip(fields, row, strict=True):
            columns[name].append(value)
    quarter_labels: dict[dt.date, str] = {}

    def quarter_of(moment: dt.datetime) -> str:
        day = timezone.localtime(moment).date()
        if day not in quarter_labels:
            quarter_labels[day] = fiscal_quarter(day).label
        return quarter_labels[day]

    return ResponseFrame(
        answers=[a if isinstance(a, dict) else {} for a in columns["answers"]],
        quarter=[quarter_of(m) for m in columns["submitted_at"]],
        variables={
            "channel": [c or "" for c in columns["channel"]],
            "service": [s or "" for s in columns["service__slug"]],
            "office": [o or "" for o in columns["office__name"]],
            "location": [(loc or "").strip() for loc in columns["location"]],
            "language": [lang or "" for lang in columns["language"]],
        },
        weight=columns["weight"],
        stratum=[s or "" for s in columns["stratum"]],
        cluster=[c or "" for c in columns["cluster"]],
        population_size=columns["population_size"],
    )


def response_counts(survey: Survey, period: str = ALL_PERIODS) -> dict[str, int]:
    responses = Response.objects.filter(survey=survey)
    if period != ALL_PERIODS:
        quarter = FiscalQuarter.parse(period)
        start = timezone.make_aware(dt.datetime.combine(quarter.start, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(quarter.next().start, dt.time.min))
        responses = responses.filter(submitted_at__gte=start, submitted_at__lt=end)
    return responses.aggregate(
        complete=Count("pk", filter=Q(status="complete", is_spam=False)),
        partial=Count("pk", filter=Q(status="partial", is_spam=False)),
        spam=Count("pk", filter=Q(is_spam=True)),
    )


def dispositions_of(survey: Survey) -> dict[str, int]:
    rows = Invitation.objects.filter(survey=survey).values("disposition").annotate(n=Count("pk"))
    return {row["disposition"]: row["n"] for row in rows}


def variable_labels(survey: Survey) -> dict[str, dict[str, str]]:
    """Readable names of the codes respondent variables take (channel codes, service slugs, languages), in the
    active language: read when a page is drawn, since the cached analysis keeps codes for every language."""
    from touchstone.catalog.models import Service
    from touchstone.surveys.languages import LANGUAGES, name_in_page_language

    services = Service.objects.filter(agency=survey.agency).only("slug", "name", "name_es")
    languages = {code: name_in_page_language(code) for code in LANGUAGES}
    return {
        "channel": {code: str(label) for code, label in Channel.choices},
        "service": {service.slug: service.display_name for service in services},
        "language": languages,
    }


def category_name(labels: dict[str, dict[str, str]], variable: str, code: str) -> str:
    """A respondent variable's category as the reader reads it: its name, or the code itself (offices and
    locations are kept by name)."""
    return labels.get(variable, {}).get(code, code)


def named_breakdowns(survey: Survey, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The cached analysis's breakdowns with each group labelled, and each comparison naming its two groups, in the
    active language: the cache keeps codes, so one analysis serves every language."""
    breakdowns = data.get("breakdowns") or []
    labels = variable_labels(survey) if breakdowns else {}
    named = []
    for breakdown in breakdowns:
        variable = breakdown["variable"]
        # An analysis cached before the codes were kept named its groups and comparisons: read those back.
        code_of = {g["label"]: g["code"] for g in breakdown["groups"] if "label" in g}
        named.append(
            {
                **breakdown,
                "groups": [
                    {**g, "label": category_name(labels, variable, g["code"])} for g in breakdown["groups"]
                ],
                "comparisons": [
                    {
                        **c,
                        "a": category_name(labels, variable, code_of.get(c["a"], c["a"])),
                        "b": category_name(labels, variable, code_of.get(c["b"], c["b"])),
                    }
                    for c in breakdown["comparisons"]
                ],
            }
        )
    return named


def variable_name(variable: str) -> str:
    """A respondent variable as it reads within a sentence: "channel", "canal"."""
    return str(WEIGHTING_VARIABLES.get(variable, variable)).lower()


def weighting_error_text(error: WeightingError | dict[str, Any] | str | None) -> str:
    """Why margins do not fit the respondents, in the active language: the error is kept untranslated (raised
    now, or stored with the cached analysis) and translated here, its variable named as the reader reads it."""
    if not error:
        return ""
    if isinstance(error, str):  # stored before errors were kept untranslated
        return error
    if isinstance(error, WeightingError):
        error = error.as_data()
    params = dict(error.get("params") or {})
    if "variable" in params:
        params["variable"] = variable_name(params["variable"])
    if isinstance(params.get("count"), int):
        params["count"] = numbers.count(params["count"])
    message = gettext(error["message"])
    return message % params if params else message


def readable_analysis(survey: Survey, data: dict[str, Any]) -> dict[str, Any]:
    """The cached analysis as the API gives it: groups and comparisons named, and any weighting error told,
    in the active language."""
    return {
        **data,
        "breakdowns": named_breakdowns(survey, data),
        "weighting_error": weighting_error_text(data.get("weighting_error")) or None,
    }


def weighting_of(survey: Survey) -> WeightingScheme | None:
    return WeightingScheme.objects.filter(survey=survey).first()


def weighting_setup(scheme: WeightingScheme | None) -> WeightingSetup | None:
    if scheme is None or not scheme.applied_version:
        return None
    return WeightingSetup(scheme.method, {k: dict(v) for k, v in scheme.margins.items()})


def cached_result(survey: Survey, period: str, weighting_version: int) -> AnalysisResult | None:
    return AnalysisResult.objects.filter(
        survey=survey, period=period, weighting_version=weighting_version
    ).first()


def analysis_of(survey: Survey, period: str = ALL_PERIODS) -> AnalysisResult:
    """The cached analysis the pages show; computed now only if there is none yet (or the minimum changed)."""
    from touchstone.analysis import services

    period = normalise_period(period)
    scheme = weighting_of(survey)
    version = scheme.applied_version if scheme else 0
    result = cached_result(survey, period, version)
    if result is None or result.data.get("minimum") != survey.minimum_to_show:
        result = services.refresh_analysis(survey, period)
    return result


def latest_response_at(survey: Survey) -> dt.datetime | None:
    return Response.objects.filter(survey=survey).aggregate(latest=Max("submitted_at"))["latest"]


def periods_of(survey: Survey) -> list[str]:
    """Fiscal quarters that have analysis results or responses, newest first (cheap: from the cache if there)."""
    scheme = weighting_of(survey)
    version = scheme.applied_version if scheme else 0
    cached = cached_result(survey, ALL_PERIODS, version)
    if cached and cached.data.get("trend"):
        quarters = [row["period"] for row in cached.data["trend"]["rows"]]
    else:
        quarters = []
    return sorted(quarters, reverse=True)


def catalog_channel_margins(survey: Survey, period: str = ALL_PERIODS) -> dict[str, float]:
    """Transactions by channel from the catalog for the survey's service: the period's, or all reported."""
    from touchstone.catalog.models import ChannelVolume
    from touchstone.catalog.selectors import channel_mix

    if survey.service is None:
        return {}
    mix = channel_mix(survey.service, ChannelVolume.Period.MONTH)
    if period == ALL_PERIODS:
        return {code: float(total) for code, total in mix.totals.items() if total}
    quarter = FiscalQuarter.parse(period)
    totals: dict[str, float] = {}
    for row in mix.rows:
        if quarter.contains(row.period_start):
            for code, volume in row.volumes.items():
                if volume:
                    totals[code] = totals.get(code, 0.0) + volume
    return totals


def weighting_preview(survey: Survey, setup: WeightingSetup, period: str = ALL_PERIODS) -> dict[str, Any]:
    """The weights a setup gives (summary, design effect) and the A-11 estimates before and after weighting.

    Raises computation.WeightingError when the margins do not fit the respondents.
    """
    from touchstone.analysis import computation

    frame = response_frame(survey, period)
    if frame.n == 0:
        raise computation.WeightingError(gettext_noop("There are no complete responses to weight yet."))
    questions = survey.current_version.questions() if survey.current_version else []
    design = computation.weighted_design(frame, setup)
    before = computation.Estimator(computation.base_design(frame), survey.minimum_to_show)
    after = computation.Estimator(design, survey.minimum_to_show)
    rows_before = {r["measure"]: r for r in computation.a11_result(questions, frame, before)}
    rows_after = computation.a11_result(questions, frame, after)
    changes = [
        {
            "measure": row["measure"],
            "text": row["text"],
            "before": rows_before.get(row["measure"], {}),
            "after": row,
            "change": (
                row["value"] - rows_before[row["measure"]]["value"]
                if row.get("value") is not None
                and rows_before.get(row["measure"], {}).get("value") is not None
                else None
            ),
        }
        for row in rows_after
    ]
    return {"summary": computation.weights_summary(design, frame, setup), "changes": changes}


VARIABLE_FIELDS = {
    "channel": "channel",
    "service": "service__slug",
    "office": "office__name",
    "location": "location",
    "language": "language",
}


def weighting_categories(survey: Survey, period: str = ALL_PERIODS) -> dict[str, list[tuple[str, int]]]:
    """Respondents by category of each weighting variable, counted in the database, most common first."""
    responses = analysed_responses(survey, period).order_by()
    result = {}
    for variable, field_name in VARIABLE_FIELDS.items():
        rows = responses.values_list(field_name).annotate(n=Count("pk")).order_by("-n")
        result[variable] = [(code or "", n) for code, n in rows]
    return result


@dataclass(frozen=True)
class SurveyHeadline:
    """A customer survey's A-11 satisfaction (share agreeing, with its interval) from its stored analysis."""

    survey: Survey
    responses: int
    satisfaction: (
        dict[str, Any] | None
    )  # value, ci_low, ci_high, n; or {"suppressed": True}; None: not analysed


def survey_headlines(agency: Agency, limit: int = 6) -> list[SurveyHeadline]:
    """The agency's published customer surveys, the most answered first, each with its stored satisfaction
    figure: two queries, and no analysis is computed here (the demo and new responses queue it)."""
    customers = surveys_to_analyse(agency).filter(audience=Survey.Audience.CUSTOMERS)
    surveys = list(customers.order_by("-complete_count", "title", "pk")[:limit])  # type: ignore[misc]
    stored = (
        AnalysisResult.objects.filter(survey__in=[s.pk for s in surveys], period=ALL_PERIODS)
        .order_by("computed_at")
        .values_list("survey_id", "data__a11")
    )
    satisfaction: dict[int, dict[str, Any]] = {}
    for survey_id, a11 in stored:
        row = next((r for r in a11 or [] if r.get("measure") == "satisfaction"), None)
        if row is not None:
            satisfaction[survey_id] = row
    return [
        SurveyHeadline(s, s.complete_count, satisfaction.get(s.pk))  # type: ignore[attr-defined]
        for s in surveys
    ]
