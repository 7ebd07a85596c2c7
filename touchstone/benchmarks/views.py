"""Workspace pages of benchmarks: the library and the agency's choices, comparisons, and the scorecard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.benchmarks import forms, selectors, services
from touchstone.benchmarks.models import Origin
from touchstone.core import access, charts
from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.importing import SafeCsvWriter
from touchstone.core.pages import form_page, render_workspace

EDIT = "edit_standards"


@member_view()
def home(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return render_workspace(
        request,
        "manage/benchmarks/home.html",
        {
            "benchmarks": selectors.benchmarks_for(agency).order_by(
                "measure", "standard_type", "channel", "-year"
            ),
            "choices": selectors.choices_of(agency).order_by("benchmark__label"),
            "choose_form": forms.ChooseForm(agency=agency),
            "can_edit": request.membership.can(EDIT),
        },
    )


@member_view(EDIT)
def benchmark_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        forms.OwnBenchmarkForm(request.POST or None),
        lambda data: services.save_benchmark(actor=request.user, agency=agency, data=data, origin=Origin.OWN),
        title=_("New benchmark of your own"),
        success=_("Benchmark saved. Choose it for the services it is comparable to."),
        then=reverse("manage:benchmarks:home", args=[agency.slug]),
    )


@member_view(EDIT)
@require_POST
def choose(request: AgencyRequest, benchmark_id: int) -> HttpResponse:
    agency = request.agency
    benchmark = selectors.benchmark_of(agency, benchmark_id)
    form = forms.ChooseForm(request.POST, agency=agency)
    if form.is_valid():
        services.choose(actor=request.user, agency=agency, benchmark=benchmark, **form.cleaned_data)
        messages.success(request, _("Benchmark chosen as comparable."))
    else:
        messages.error(request, _("Choose one of your services, or every service."))
    return redirect("manage:benchmarks:home", agency.slug)


@member_view(EDIT)
@require_POST
def unchoose(request: AgencyRequest, choice_id: int) -> HttpResponse:
    agency = request.agency
    services.unchoose(actor=request.user, agency=agency, choice=selectors.choice_of(agency, choice_id))
    messages.success(request, _("Benchmark no longer compared."))
    return redirect("manage:benchmarks:home", agency.slug)


def _chart(rows: list[selectors.Comparison]) -> object:
    items = []
    for row in rows:
        if row.best is None:
            continue
        low = row.figure.value - 1.96 * row.figure.se if row.figure.se else None
        high = row.figure.value + 1.96 * row.figure.se if row.figure.se else None
        items.append(
            charts.Interval(
                _("%(label)s: yours") % {"label": row.figure.label.rstrip(" .")}, row.figure.value, low, high
            )
        )
        best, se = row.best.on_common_scale, row.best.se_on_common_scale
        items.append(
            charts.Interval(
                _("Best in business: %(source)s") % {"source": row.best.label},
                best,
                best - 1.96 * se if best is not None and se else None,
                best + 1.96 * se if best is not None and se else None,
            )
        )
    return (
        charts.interval_bars(_("Your results beside the best comparable benchmark"), items) if items else None
    )


@member_view()
def comparisons(request: AgencyRequest) -> HttpResponse:
    chosen, rows = selectors.comparisons_of(request.agency)
    return render_workspace(
        request,
        "manage/benchmarks/comparisons.html",
        {"chosen": chosen, "rows": rows, "chart": _chart(rows)},
    )


@member_view()
def scorecard(request: AgencyRequest) -> HttpResponse:
    chosen, rows = selectors.comparisons_of(request.agency)
    return render_workspace(
        request,
        "manage/benchmarks/scorecard.html",
        {
            "chosen": chosen,
            "cards": selectors.scorecard(rows),
            "allocations": selectors.allocations(rows),
            "managers": selectors.area_managers(request.agency),
        },
    )


@member_view()
def scorecard_manager(request: AgencyRequest, membership_id: int) -> HttpResponse:
    """The scorecard of one manager's area: the services whose standards they own, by owning office."""
    agency = request.agency
    manager = selectors.member_of(agency, membership_id)
    chosen, rows = selectors.comparisons_of(agency)
    area = selectors.in_area(rows, selectors.area_service_ids(agency, manager))
    return render_workspace(
        request,
        "manage/benchmarks/scorecard.html",
        {
            "chosen": chosen,
            "cards": selectors.scorecard(area),
            "allocations": selectors.allocations(area),
            "manager": manager,
        },
    )


@member_view()
def scorecard_export(request: AgencyRequest) -> HttpResponse:
    """The scorecard and its ranking as CSV: every figure, its benchmark and source, the gap and the reasoning."""
    _chosen, rows = selectors.comparisons_of(request.agency)
    ranks = {a.comparison.figure.key: a for a in selectors.allocations(rows)}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{request.agency.slug}-benchmark-scorecard.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(
        [
            "office",
            "figure",
            "measure",
            "value",
            "standard_error",
            "benchmark",
            "benchmark_value",
            "benchmark_standard_error",
            "source",
            "gap",
            "gap_low",
            "gap_high",
            "verdict",
            "allocation_rank",
            "customers_reached",
            "reasoning",
        ]
    )
    for card in selectors.scorecard(rows):
        for row in card.rows:
            gap, best, rank = row.gap, row.best, ranks.get(row.figure.key)
            writer.writerow(
                [
                    str(card.office or ""),
                    row.figure.label,
                    row.figure.measure,
                    round(row.figure.value, 4),
                    round(row.figure.se, 4) if row.figure.se is not None else "",
                    best.label if best else "",
                    round(best.on_common_scale or 0, 4) if best else "",
                    round(best.se_on_common_scale, 4) if best and best.se_on_common_scale is not None else "",
                    best.citation() if best else "",
                    round(gap.gap, 4) if gap else "",
                    round(gap.low, 4) if gap and gap.low is not None else "",
                    round(gap.high, 4) if gap and gap.high is not None else "",
                    row.verdict,
                    rank.rank if rank else "",
                    round(rank.priority.score) if rank else "",
                    rank.reasoning if rank else "",
                ]
            )
    return response


@login_required
def oversight(request: HttpRequest) -> HttpResponse:
    """For overseers: agencies side by side on standards kept, complaint timeliness, the A-11 drivers and benchmark
    gaps, with noise groups that show when two agencies' difference is within noise."""
    if not access.is_overseer(request):
        raise PermissionDenied(_("Only government-wide overseers can see this page."))
    return render(
        request, "manage/benchmarks/oversight.html", {"comparison": selectors.oversight_comparison()}
    )
