"""Workspace pages of survey analysis: the survey's figures, its drivers, the themes of its comments, weighting."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from touchstone.analysis import computation, selectors, services
from touchstone.analysis.forms import WeightingForm, format_margins
from touchstone.analysis.models import ALL_PERIODS, WEIGHTING_VARIABLES, AnalysisResult
from touchstone.core import charts
from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.pages import render_workspace
from touchstone.stats import drivers as stats_drivers
from touchstone.surveys import selectors as survey_selectors
from touchstone.surveys.models import Question, Survey

EDIT = "edit_surveys"
MEASURE_LABELS = dict(Question.Measures.choices)
QUADRANT_LABELS = {
    stats_drivers.CONCENTRATE_HERE: gettext_lazy("Concentrate here"),
    stats_drivers.KEEP_UP_THE_GOOD_WORK: gettext_lazy("Keep up the good work"),
    stats_drivers.LOW_PRIORITY: gettext_lazy("Low priority"),
    stats_drivers.POSSIBLE_OVERKILL: gettext_lazy("Possible overkill"),
}
RATE_NAMES = (
    "rr1",
    "rr2",
    "rr3",
    "rr4",
    "rr5",
    "rr6",
    "coop1",
    "coop2",
    "coop3",
    "coop4",
    "ref1",
    "ref2",
    "ref3",
    "con1",
    "con2",
    "con3",
)


def _survey(request: AgencyRequest, survey_id: int) -> Survey:
    return survey_selectors.survey_of(request.agency, survey_id)


def _period(request: AgencyRequest) -> str:
    try:
        return selectors.normalise_period(request.GET.get("period"))
    except ValueError:
        raise Http404("No such period.") from None


def _context(request: AgencyRequest, survey: Survey, result: AnalysisResult, period: str) -> dict[str, Any]:
    return {
        "survey": survey,
        "result": result,
        "data": result.data,
        "period": period,
        "periods": selectors.periods_of(survey),
        "all_periods": ALL_PERIODS,
        "minimum": survey.minimum_to_show,
        "can_edit": request.membership.can(EDIT),
        "scheme": selectors.weighting_of(survey),
        "weights_applied": weights_applied(result.data),
        "weighting_error": selectors.weighting_error_text(result.data.get("weighting_error")),
    }


def weights_applied(data: dict[str, Any]) -> str:
    """One sentence naming the weights behind every figure on the analysis pages: raked, post-stratified,
    the design's own, or none."""
    summary = data.get("weighting")
    if summary:
        variables = ", ".join(selectors.variable_name(v) for v in summary.get("variables") or [])
        if summary.get("method") == "poststratify":
            return _(
                "Weights applied: post-stratified to the population by %(variables)s. Intervals are design-based."
            ) % {"variables": variables}
        return _(
            "Weights applied: raked to the population's margins by %(variables)s. Intervals are design-based."
        ) % {"variables": variables}
    if data.get("weighted"):
        return _(
            "Weights applied: the sampling weights imported with the responses (no calibration). "
            "Intervals are design-based."
        )
    return _("Weights applied: none; every respondent counts once. Intervals are Wilson score intervals.")


@member_view()
def analysis_home(request: AgencyRequest) -> HttpResponse:
    return render_workspace(
        request, "manage/analysis/home.html", {"surveys": selectors.surveys_to_analyse(request.agency)}
    )


@member_view()
def service_analysis(request: AgencyRequest, service_id: int) -> HttpResponse:
    """Every customer survey of one service at once: the A-11 drivers by fiscal quarter, pooled."""
    from touchstone.analysis.across import service_across_surveys
    from touchstone.catalog.selectors import service_of

    found = service_across_surveys(service_of(request.agency, service_id))
    labels = [quarter.label for quarter in found.quarters]
    series = [
        charts.Series(
            _label(trend.measure),
            [
                (shown.value if (shown := found.shown(trend.by_quarter.get(quarter))) else None)
                for quarter in found.quarters
            ],
        )
        for trend in found.drivers
    ]
    rows = [
        (_label(trend.measure), [found.shown(trend.by_quarter.get(quarter)) for quarter in found.quarters])
        for trend in found.drivers
    ]
    return render_workspace(
        request,
        "manage/analysis/service.html",
        {
            "found": found,
            "labels": labels,
            "rows": rows,
            "chart": charts.lines(
                _("Share agreeing by fiscal quarter, all surveys of %(name)s")
                % {"name": found.service.display_name},
                labels,
                series,
                percent=True,
            )
            if found.quarters
            else None,
        },
    )


def _label(measure: str) -> str:
    return str(MEASURE_LABELS.get(measure, measure)).replace("A-11: ", "")


@member_view()
def survey_analysis(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    period = _period(request)
    result = selectors.analysis_of(survey, period)
    data = result.data
    context = _context(request, survey, result, period)
    a11 = data.get("a11") or []
    if a11:
        context["a11_chart"] = charts.interval_bars(
            # xgettext:no-python-format
            _("Share agreeing with each A-11 statement, with 95% intervals"),
            [
                charts.Interval(_label(r["measure"]), r.get("value"), r.get("ci_low"), r.get("ci_high"))
                for r in a11
            ],
        )
    trend = data.get("trend")
    if trend and trend["rows"]:
        rows = trend["rows"]
        labels = [r["period"] for r in rows]
        context["trend_chart"] = charts.lines(
            _("Share agreeing by fiscal quarter, with p-chart control limits"),
            labels,
            [
                charts.Series(_("Agreeing"), [r.get("value") for r in rows]),
                charts.Series(_("Upper control limit"), [r.get("upper_limit") for r in rows]),
                charts.Series(_("Lower control limit"), [r.get("lower_limit") for r in rows]),
            ],
            percent=True,
            reference=trend.get("centre"),
        )
        if trend.get("drivers"):
            context["drivers_trend_chart"] = charts.lines(
                _("A-11 statements by fiscal quarter: share agreeing"),
                labels,
                [charts.Series(_label(m), [r["drivers"].get(m) for r in rows]) for m in trend["drivers"]],
                percent=True,
            )
            context["trend_drivers"] = [(m, _label(m)) for m in trend["drivers"]]
    breakdowns = []
    for breakdown in selectors.named_breakdowns(survey, data):
        variable = breakdown["variable"]
        breakdowns.append(
            {
                **breakdown,
                "label": WEIGHTING_VARIABLES.get(variable, variable),
                "name": selectors.variable_name(variable),
                "chart": charts.interval_bars(
                    _("Share agreeing by %(variable)s, with 95%% intervals")
                    % {"variable": selectors.variable_name(variable)},
                    [
                        charts.Interval(g["label"], g.get("value"), g.get("ci_low"), g.get("ci_high"))
                        for g in breakdown["groups"]
                    ],
                ),
            }
        )
    context["breakdowns"] = breakdowns
    rates = data.get("response_rates")
    if rates:
        context["rates"] = [(name.upper(), rates["rates"].get(name)) for name in RATE_NAMES]
    context["measure_labels"] = {m: _label(m) for m in computation.A11_MEASURES}
    return render_workspace(request, "manage/analysis/survey.html", context)


@member_view()
def survey_drivers(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    period = _period(request)
    result = selectors.analysis_of(survey, period)
    context = _context(request, survey, result, period)
    drivers = result.data.get("drivers")
    if drivers and drivers.get("drivers"):
        rows = [
            {
                **row,
                "label": _label(row["measure"]),
                "quadrant_label": QUADRANT_LABELS.get(row.get("quadrant"), ""),
            }
            for row in drivers["drivers"]
        ]
        context["driver_rows"] = rows
        context["outcome_label"] = _label(drivers.get("outcome_measure") or drivers["outcome"])
        ipa = drivers.get("ipa")
        if ipa:
            context["ipa_chart"] = charts.quadrant_scatter(
                _("Importance and performance of each driver"),
                [
                    charts.Point(r["label"], r["share"], r["performance"])
                    for r in rows
                    if r["performance"] is not None
                ],
                ipa["importance_mean"],
                ipa["performance_mean"],
                (
                    str(QUADRANT_LABELS[stats_drivers.POSSIBLE_OVERKILL]),
                    str(QUADRANT_LABELS[stats_drivers.KEEP_UP_THE_GOOD_WORK]),
                    str(QUADRANT_LABELS[stats_drivers.LOW_PRIORITY]),
                    str(QUADRANT_LABELS[stats_drivers.CONCENTRATE_HERE]),
                ),
                _("Importance (share of explained variance)"),
                _("Performance (share agreeing)"),
            )
    return render_workspace(request, "manage/analysis/drivers.html", context)


@member_view()
def survey_themes(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    period = _period(request)
    result = selectors.analysis_of(survey, period)
    context = _context(request, survey, result, period)
    themes = result.data.get("themes")
    if themes and themes.get("themes"):
        context["themes_chart"] = charts.interval_bars(
            _("Share of comments in each theme"),
            [charts.Interval(t["label"], t["share"]) for t in themes["themes"]],
        )
    return render_workspace(request, "manage/analysis/themes.html", context)


@member_view(EDIT)
@require_POST
def refresh(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    services.enqueue_refresh(survey)
    messages.success(request, _("The analysis is being refreshed; reload the page in a moment."))
    return redirect(reverse("manage:analysis:survey", args=[request.agency.slug, survey.pk]))


@member_view()
def weighting(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    period = _period(request)
    scheme = selectors.weighting_of(survey)
    categories = selectors.weighting_categories(survey, period)
    observed_channels = {code for code, _count in categories["channel"] if code}
    catalog_all = selectors.catalog_channel_margins(survey, period)
    catalog = {code: total for code, total in catalog_all.items() if code in observed_channels}
    dropped = sorted(set(catalog_all) - set(catalog))
    initial = {"method": scheme.method, "margins": format_margins(scheme.margins)} if scheme else {}
    form = WeightingForm(request.POST or None, initial=initial, catalog=catalog)
    preview = None
    action = request.POST.get("action", "preview")
    if request.method == "POST" and action == "stop":
        if not request.membership.can(EDIT):
            raise PermissionDenied(_("Your role cannot change how a survey is weighted."))
        services.stop_weighting(actor=request.user, survey=survey)
        messages.success(request, _("Weighting stopped: the analysis shows unweighted figures again."))
        return redirect(reverse("manage:analysis:weighting", args=[request.agency.slug, survey.pk]))
    if request.method == "POST" and form.is_valid():
        setup = computation.WeightingSetup(form.cleaned_data["method"], form.cleaned_data["parsed_margins"])
        try:
            preview = selectors.weighting_preview(survey, setup, period)
        except computation.WeightingError as error:
            form.add_error("margins", selectors.weighting_error_text(error))
        else:
            if action == "save":
                if not request.membership.can(EDIT):
                    raise PermissionDenied(_("Your role cannot change how a survey is weighted."))
                services.save_weighting(
                    actor=request.user, survey=survey, method=setup.method, margins=setup.margins
                )
                messages.success(request, _("Weighting saved; the analysis pages now show weighted figures."))
                return redirect(reverse("manage:analysis:survey", args=[request.agency.slug, survey.pk]))
    labels = selectors.variable_labels(survey)
    if preview:
        for change in preview["changes"]:
            change["label"] = _label(change["measure"])
        for variable in preview["summary"]["margins"]:
            preview["summary"]["margins"][variable] = [
                {
                    **row,
                    "variable": WEIGHTING_VARIABLES.get(variable, variable),
                    "name": selectors.category_name(labels, variable, row["category"]),
                }
                for row in preview["summary"]["margins"][variable]
            ]
    return render_workspace(
        request,
        "manage/analysis/weighting.html",
        {
            "survey": survey,
            "form": form,
            "preview": preview,
            "scheme": scheme,
            "period": period,
            "categories": [
                WeightingVariable(
                    variable,
                    str(WEIGHTING_VARIABLES[variable]),
                    [(selectors.category_name(labels, variable, code), code, n) for code, n in values[:12]],
                    max(0, len(values) - 12),
                )
                for variable, values in categories.items()
                if len(values) > 1
            ],
            "catalog": [
                (selectors.category_name(labels, "channel", code), total) for code, total in catalog.items()
            ],
            "catalog_dropped": [selectors.category_name(labels, "channel", code) for code in dropped],
            "can_edit": request.membership.can(EDIT),
        },
    )


@dataclass(frozen=True)
class WeightingVariable:
    """A respondent variable on the weighting page: its categories by name, each with the code the margins
    take (a channel's name is translated, its code is not) and how many respondents are in it."""

    code: str
    label: str
    categories: list[tuple[str, str, int]]  # (name, code, respondents)
    more: int

    @property
    def code_html(self) -> SafeString:
        return format_html("<code>{}</code>", self.code)

    @property
    def named(self) -> bool:
        """Whether any category reads differently from its code (offices and locations are kept by name)."""
        return any(name != code for name, code, _n in self.categories if code)
