"""The live figures of a survey report and a customer service plan, read from the apps that own them.

A report's figures are built here each time its page is shown, until it is issued; then services store them in the
report's snapshot. Everything returned is plain JSON (numbers, strings, lists, dicts) so that a snapshot is too.
"""

import datetime as dt
import hashlib
import time
from dataclasses import replace
from typing import Any

from django.utils import timezone

from touchstone.analysis import computation
from touchstone.analysis import selectors as analysis_selectors
from touchstone.analysis.models import ALL_PERIODS, AnalysisResult
from touchstone.core.fiscal import FiscalQuarter
from touchstone.core.models import Agency
from touchstone.stats.compare import compare_proportions
from touchstone.surveys.models import Survey

SIGNIFICANT = 0.05


class PeriodError(ValueError):
    pass


def parse_period(text: str) -> tuple[int, int | None]:
    """(fiscal year, quarter or None) from 'FY2026' or 'FY2026 Q1'; PeriodError naming the form to use."""
    cleaned = (text or "").strip().upper()
    if "Q" in cleaned.replace("FY", ""):
        try:
            quarter = FiscalQuarter.parse(cleaned)
        except ValueError as error:
            raise PeriodError(str(error)) from error
        return quarter.fiscal_year, quarter.quarter
    digits = cleaned.replace("FY", "").strip()
    if not (digits.isdigit() and len(digits) == 4):
        raise PeriodError(f"{text!r} is not a fiscal year or quarter; write FY2026 or FY2026 Q1.")
    return int(digits), None


def period_label(year: int, quarter: int | None) -> str:
    return f"FY{year}" if quarter is None else FiscalQuarter(year, quarter).label


def previous_period(period: str) -> str:
    year, quarter = parse_period(period)
    if quarter is None:
        return period_label(year - 1, None)
    before = FiscalQuarter(year, quarter).previous()
    return period_label(before.fiscal_year, before.quarter)


def _year_frame(survey: Survey, year: int) -> computation.ResponseFrame:
    """The survey's responses of the four quarters of a fiscal year, as one frame."""
    labels = {FiscalQuarter(year, q).label for q in (1, 2, 3, 4)}
    frame = analysis_selectors.response_frame(survey, ALL_PERIODS)
    keep = [i for i, quarter in enumerate(frame.quarter) if quarter in labels]
    return replace(
        frame,
        answers=[frame.answers[i] for i in keep],
        quarter=[frame.quarter[i] for i in keep],
        variables={name: [values[i] for i in keep] for name, values in frame.variables.items()},
        weight=[frame.weight[i] for i in keep],
        stratum=[frame.stratum[i] for i in keep],
        cluster=[frame.cluster[i] for i in keep],
        population_size=[frame.population_size[i] for i in keep],
        _columns={},
    )


def _year_freshness(survey: Survey, year: int) -> list[Any]:
    """What a year's analysis depends on, read without counting the year's responses (at a million responses a
    count scans them all on every view of a draft report):
    - the year's newest response, read from the (survey, status, answer time) index: a response stored now shows
      at once;
    - how many responses each quarter had at its last analysis refresh: responses stored with an earlier answer
      time (an offline batch, an upload) reach the year when the refresh task, queued as they arrive, counts them;
    - when responses were last marked spam or not spam, the questions, and the minimum to show.
    A year without responses gives None first, and nothing else is read."""
    start = timezone.make_aware(dt.datetime.combine(FiscalQuarter(year, 1).start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(FiscalQuarter(year, 4).next().start, dt.time.min))
    newest = (
        analysis_selectors.analysed_responses(survey)
        .filter(submitted_at__gte=start, submitted_at__lt=end)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    if newest is None:
        return [None]
    quarters = [FiscalQuarter(year, quarter).label for quarter in (1, 2, 3, 4)]
    scheme = analysis_selectors.weighting_of(survey)
    counted = dict(
        AnalysisResult.objects.filter(
            survey=survey, period__in=quarters, weighting_version=scheme.applied_version if scheme else 0
        ).values_list("period", "response_count")
    )
    for label in quarters:
        if label not in counted:  # kept from now on, and refreshed by the task whenever responses arrive
            counted[label] = analysis_selectors.analysis_of(survey, label).response_count
    revised = survey.responses_revised_at.isoformat() if survey.responses_revised_at else None
    return [
        newest.isoformat(),
        [counted[label] for label in quarters],
        revised,
        survey.current_version_id,
        survey.minimum_to_show,
    ]


def _year_analysis(survey: Survey, year: int, freshness: list[Any] | None = None) -> dict[str, Any]:
    """The analysis of a whole fiscal year: the survey's responses of its four quarters, estimated together.
    Kept beside the quarters' cached analyses and recomputed only when what it depends on has changed."""
    label = period_label(year, None)
    scheme = analysis_selectors.weighting_of(survey)
    weighting_version = scheme.applied_version if scheme else 0
    freshness = freshness or _year_freshness(survey, year)
    cached = analysis_selectors.cached_result(survey, label, weighting_version)
    if cached is not None and cached.data.get("freshness") == freshness:
        return dict(cached.data)
    began = time.perf_counter()
    counts = {"complete": 0, "partial": 0, "spam": 0}
    for quarter in (1, 2, 3, 4):
        for key, value in analysis_selectors.response_counts(
            survey, FiscalQuarter(year, quarter).label
        ).items():
            counts[key] = counts.get(key, 0) + value
    version = survey.current_version
    data = computation.analyse(
        version.questions() if version else [],
        _year_frame(survey, year),
        minimum=survey.minimum_to_show,
        counts=counts,
        dispositions=analysis_selectors.dispositions_of(survey),
        weighting=analysis_selectors.weighting_setup(scheme),
    )
    data["freshness"] = freshness
    AnalysisResult.objects.update_or_create(
        survey=survey,
        period=label,
        weighting_version=weighting_version,
        defaults={
            "data": data,
            "response_count": data["counts"]["analysed"],
            "computed_at": timezone.now(),
            "seconds": time.perf_counter() - began,
        },
    )
    return data


def survey_analysis(survey: Survey, period: str) -> dict[str, Any]:
    year, quarter = parse_period(period)
    if quarter is None:
        return _year_analysis(survey, year)
    return dict(analysis_selectors.analysis_of(survey, period).data)


def _agreement(survey: Survey, period: str) -> list[dict[str, Any]]:
    """Only the A-11 agreement rows of a period: all the period before is compared on."""
    year, quarter = parse_period(period)
    if quarter is not None:
        scheme = analysis_selectors.weighting_of(survey)
        cached = analysis_selectors.cached_result(survey, period, scheme.applied_version if scheme else 0)
        if cached is not None:
            return list(cached.data.get("a11") or [])
        frame = analysis_selectors.response_frame(survey, period)
    else:
        # A year is compared on its own kept analysis: rebuilt only when its responses change, and never built
        # for a year without any (which would read every response of the survey to find none).
        freshness = _year_freshness(survey, year)
        if freshness[0] is None:
            return []
        return list(_year_analysis(survey, year, freshness).get("a11") or [])
    if not frame.n:
        return []
    version = survey.current_version
    questions = version.questions() if version else []
    estimator = computation.Estimator(computation.base_design(frame), survey.minimum_to_show)
    return computation.a11_result(questions, frame, estimator)


def _changes(
    now: list[dict[str, Any]], before: list[dict[str, Any]], label_now: str, label_before: str
) -> list[dict[str, Any]]:
    """Each A-11 measure's change in agreement since the period before, with a two-sample z test."""
    earlier = {row["measure"]: row for row in before if row.get("count") is not None and row.get("n")}
    rows = []
    for row in now:
        old = earlier.get(row["measure"])
        if old is None or row.get("count") is None or not row.get("n"):
            continue
        (comparison,) = compare_proportions(
            {label_before: (old["count"], old["n"]), label_now: (row["count"], row["n"])}, adjust="none"
        )
        rows.append(
            {
                "measure": row["measure"],
                "before": comparison.value_a,
                "now": comparison.value_b,
                "difference": comparison.difference,
                "p_value": comparison.p_value,
                "significant": comparison.p_value is not None and comparison.p_value < SIGNIFICANT,
            }
        )
    return rows


def _survey_figures(survey: Survey, period: str) -> dict[str, Any] | None:
    data = survey_analysis(survey, period)
    counts = data.get("counts") or {}
    if not counts.get("analysed"):
        return None
    before_period = previous_period(period)
    drivers = data.get("drivers") or {}
    themes = data.get("themes") or {}
    return {
        "survey_id": survey.pk,
        "title": survey.title,
        "title_es": survey.title_es,
        "service": survey.service.name if survey.service else "",
        "service_es": survey.service.name_es if survey.service else "",
        "mode": survey.get_default_channel_display() if survey.default_channel else "",
        "transaction_point": survey.get_transaction_point_display(),
        "omb_control_number": survey.omb_control_number,
        "counts": counts,
        "minimum": data.get("minimum"),
        "weighted": bool(data.get("weighting")),
        "response_rates": data.get("response_rates"),
        "a11": [row for row in data.get("a11") or [] if not row.get("suppressed")],
        "nps": data.get("nps") if data.get("nps") and not data["nps"].get("suppressed") else None,
        "drivers": [
            {"measure": d["measure"], "share": d["share"]}
            for d in sorted(drivers.get("drivers") or [], key=lambda d: -d["share"])
        ],
        "driver_outcome": drivers.get("outcome_measure") or "",
        # Theme names and sizes only: example comments are customers' own words and are not published.
        "themes": [
            {"label": t["label"], "share": t["share"], "size": t["size"]} for t in themes.get("themes") or []
        ],
        "previous_period": before_period,
        "changes": _changes(data.get("a11") or [], _agreement(survey, before_period), period, before_period),
    }


def customer_surveys(agency: Agency) -> list[Survey]:
    return list(
        Survey.objects.filter(
            agency=agency, current_version__isnull=False, audience=Survey.Audience.CUSTOMERS
        )
        .select_related("service", "current_version")
        .order_by("title", "pk")
    )


def report_figures(agency: Agency, period: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every figure of the survey report for the period, as of now."""
    surveys = [f for f in (_survey_figures(s, period) for s in customer_surveys(agency)) if f is not None]
    return {
        "period": period,
        "as_of": (now or timezone.now()).isoformat(),
        "surveys": surveys,
        "respondents": sum(s["counts"].get("analysed", 0) for s in surveys),
    }


# --- example comments: only what a person cleared is quoted -----------------------------------------------------


def comment_fingerprint(survey_id: int, text: str) -> str:
    return hashlib.sha256(f"{survey_id}\n{text.strip()}".encode()).hexdigest()


def comment_candidates(agency: Agency, period: str, decided: set[str]) -> list[dict[str, Any]]:
    """The example comments of each theme in the period's analysis, not yet quoted or left out."""
    candidates = []
    for survey in customer_surveys(agency):
        themes = (survey_analysis(survey, period).get("themes") or {}).get("themes") or []
        for theme in themes:
            for text in theme.get("examples") or []:
                fingerprint = comment_fingerprint(survey.pk, text)
                if fingerprint not in decided:
                    candidates.append(
                        {
                            "survey_id": survey.pk,
                            "survey": survey.title,
                            "theme": theme["label"],
                            "text": text,
                            "fingerprint": fingerprint,
                        }
                    )
                    decided.add(fingerprint)  # the same comment under two themes is offered once
    return candidates


def with_quotes(data: dict[str, Any], quotes: list[Any]) -> dict[str, Any]:
    """The report's figures with each survey's cleared quotes beside its themes."""
    by_survey: dict[int, list[dict[str, str]]] = {}
    for quote in quotes:
        by_survey.setdefault(quote.survey_id, []).append(
            {"theme": quote.theme, "text": quote.text, "text_es": quote.text_es}
        )
    for entry in data["surveys"]:
        entry["quotes"] = by_survey.get(entry["survey_id"], [])
    return data
