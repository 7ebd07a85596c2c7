"""Workspace pages of service standards. Thin: forms validate, services write, selectors read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.pages import render_workspace as _render
from touchstone.standards import measurement, selectors, services
from touchstone.standards.forms import StandardForm


@member_view()
def standard_list(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return _render(
        request,
        "manage/standards/list.html",
        {
            "summaries": selectors.summaries(list(selectors.standards_of(agency))),
            "rollups": selectors.rollup_by_service(agency),
            "alert_count": selectors.alerts_of(agency).count(),
            "discrepancy_count": selectors.discrepancy_count(agency),
            "transaction_count": selectors.transaction_count(agency),
            "can_edit": request.membership.can("edit_standards"),
            "can_import": request.membership.can("import_data"),
        },
    )


def _save(request: AgencyRequest, form: StandardForm, revise_from: object = None) -> HttpResponse | None:
    try:
        if revise_from is None:
            standard = services.define_standard(
                actor=request.user, agency=request.agency, data=form.cleaned_data
            )
            messages.success(request, _("Standard saved and measured on the transactions held."))
        else:
            standard = services.revise_standard(
                actor=request.user,
                standard=revise_from,  # type: ignore[arg-type]
                data=form.cleaned_data,
            )
            messages.success(
                request,
                _("Version %(version)s saved; earlier periods keep the version that governed them.")
                % {"version": standard.version},
            )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return None
    return redirect("manage:standards:detail", agency_slug=request.agency.slug, standard_id=standard.pk)


@member_view("edit_standards")
def standard_new(request: AgencyRequest) -> HttpResponse:
    form = StandardForm(request.POST or None, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form)
        if response is not None:
            return response
    return _render(request, "manage/form_page.html", {"form": form, "title": _("Define a service standard")})


@member_view("edit_standards")
def standard_edit(request: AgencyRequest, standard_id: int) -> HttpResponse:
    standard = selectors.standard_of(request.agency, standard_id)
    if not standard.is_current:
        messages.info(request, _("That is an earlier version; this is the current one."))
        current = selectors.versions_of(standard).first()
        return redirect("manage:standards:edit", agency_slug=request.agency.slug, standard_id=current.pk)  # type: ignore[union-attr]
    form = StandardForm(request.POST or None, instance=standard, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        # The form edited the instance in memory; the service makes a new row from the cleaned data.
        response = _save(request, form, revise_from=selectors.standard_of(request.agency, standard_id))
        if response is not None:
            return response
    return _render(
        request,
        "manage/form_page.html",
        {"form": form, "title": _("Change the standard (makes version %(n)s)") % {"n": standard.version + 1}},
    )


@member_view()
def standard_detail(request: AgencyRequest, standard_id: int) -> HttpResponse:
    standard = selectors.standard_of(request.agency, standard_id)
    results = list(selectors.results_of(standard))
    chart = selectors.control_chart_of(standard)
    latest = next((r for r in reversed(results) if r.total), None)
    by = request.GET.get("by", "office__name")
    return _render(
        request,
        "manage/standards/detail.html",
        {
            "standard": standard,
            "versions": selectors.versions_of(standard),
            "results": list(reversed(results)),
            "chart": chart,
            "signal_rows": [
                (row, [measurement.signal_label(s) for s in row.signals]) for row in chart.signals
            ],
            "latest": latest,
            "breakdown": selectors.breakdown(standard, latest, by) if latest else [],
            "by": by,
            "alerts": selectors.alerts_of(request.agency).filter(standard__lineage=standard.lineage)[:10],
            "burn_rates": selectors.burn_rates_of(standard),
            "own_window": selectors.own_window_result(standard),
            "in_progress": next((r for r in reversed(results) if r.in_progress), None),
            "can_edit": request.membership.can("edit_standards") and standard.is_current,
        },
    )


@member_view()
def alert_list(request: AgencyRequest) -> HttpResponse:
    page = Paginator(selectors.alerts_of(request.agency), 50).get_page(request.GET.get("page"))
    return _render(request, "manage/standards/alerts.html", {"page": page})


@member_view()
def discrepancy_list(request: AgencyRequest) -> HttpResponse:
    page = Paginator(selectors.discrepancies_of(request.agency), 50).get_page(request.GET.get("page"))
    return _render(request, "manage/standards/discrepancies.html", {"page": page})
