"""Workspace pages of reports and plans. Thin: forms validate, services write, selectors read."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.pages import render_workspace as _render
from touchstone.reports import pdf, selectors, services
from touchstone.reports.forms import (
    CapacityForm,
    CollectionForm,
    DeliveryForm,
    GoalForm,
    PlanSectionForm,
    ReportStartForm,
    ReportTextForm,
    ReviewForm,
    UploadForm,
    YearForm,
)
from touchstone.reports.models import (
    PLAIN_LANGUAGE_CHECKS,
    A11Collection,
    ActionGoal,
    DocumentState,
    PlanSection,
)
from touchstone.surveys.exports import A11_UPLOAD_HEADERS

EDIT = "edit_surveys"  # analysts and admins write reports and plans and fill collections
APPROVE = "manage_agency"  # the agency admin approves, publishes and reviews A-11 collections


def _errors(request: AgencyRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def measure_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ActionGoal.Measure.choices}


@member_view()
def home(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return _render(
        request,
        "manage/reports/home.html",
        {
            "reports": selectors.reports_of(agency),
            "plans": selectors.plans_of(agency),
            "collections": selectors.collections_of(agency)[:12],
            "action_plans": selectors.action_plans_of(agency),
            "can_edit": request.membership.can(EDIT),
            "can_schedule": request.membership.can(APPROVE),
        },
    )


# --- the survey report ---


@member_view(EDIT)
def report_new(request: AgencyRequest) -> HttpResponse:
    form = ReportStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.start_report(
                actor=request.user, agency=request.agency, period=form.cleaned_data["period"]
            )
        except ValidationError as error:
            form.add_error("period", error.message_dict.get("period", error.messages))
        else:
            return redirect("manage:reports:report", agency_slug=request.agency.slug, report_id=report.pk)
    return _render(request, "manage/form_page.html", {"form": form, "title": _("Start a survey report")})


def report_context(report: Any, language: str = "en") -> dict[str, Any]:
    data = selectors.report_figures(report)
    texts = {
        name: (getattr(report, f"{name}_es") if language == "es" else "") or getattr(report, name)
        for name in ("summary", "changes", "actions")
    }
    labels = measure_labels()
    surveys = []
    for index, survey in enumerate(data["surveys"]):
        title = _("Share who agree, %(survey)s, %(period)s") % {
            "survey": (survey.get("title_es") if language == "es" else "") or survey["title"],
            "period": data["period"],
        }
        chart = pdf.a11_chart(survey, labels, title) if survey["a11"] else None
        alt = "; ".join(
            f"{labels.get(r['measure'], r['measure'])} {round(100 * r['value'])}%"
            for r in survey["a11"]
            if r.get("value") is not None
        )
        described = f"{title}: {alt}"
        image = pdf.chart_image(chart, described) if chart else None
        surveys.append(
            {**survey, "chart": chart, "chart_alt": described, "chart_image": image, "index": index}
        )
    return {
        "report": report,
        "figures": data,
        "surveys": surveys,
        "labels": labels,
        "texts": texts,
        "language": language,
    }


@member_view()
def report_detail(request: AgencyRequest, report_id: int) -> HttpResponse:
    report = selectors.report_of(request.agency, report_id)
    return _render(
        request,
        "manage/reports/report.html",
        {
            **report_context(report),
            "can_edit": request.membership.can(EDIT),
            "can_approve": request.membership.can(APPROVE),
        },
    )


@member_view(EDIT)
def report_edit(request: AgencyRequest, report_id: int) -> HttpResponse:
    report = selectors.report_of(request.agency, report_id)
    form = ReportTextForm(
        request.POST or None, initial={f: getattr(report, f) for f in services.REPORT_TEXT_FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.write_report(actor=request.user, report=report, data=form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Report saved."))
        return redirect("manage:reports:report", agency_slug=request.agency.slug, report_id=report.pk)
    return _render(
        request, "manage/form_page.html", {"form": form, "title": _("Write the report's narrative")}
    )


def _move(request: AgencyRequest, document: Any) -> None:
    to = request.POST.get("to", "")
    if to in {DocumentState.APPROVED, DocumentState.PUBLISHED} and not request.membership.can(APPROVE):
        raise PermissionDenied(_("Only the agency admin approves and publishes."))
    try:
        services.move_document(actor=request.user, document=document, to=to)
    except (ValidationError, ValueError) as error:
        _errors(request, error if isinstance(error, ValidationError) else ValidationError(str(error)))
    else:
        messages.success(request, _("Done."))


@member_view(EDIT)
@require_POST
def report_move(request: AgencyRequest, report_id: int) -> HttpResponse:
    report = selectors.report_of(request.agency, report_id)
    _move(request, report)
    return redirect("manage:reports:report", agency_slug=request.agency.slug, report_id=report.pk)


@member_view(EDIT)
def report_comments(request: AgencyRequest, report_id: int) -> HttpResponse:
    """Example comments of the period's themes, each quoted as a person cleared it, or left out."""
    report = selectors.report_of(request.agency, report_id)
    if request.method == "POST":
        try:
            services.decide_comment(
                actor=request.user,
                report=report,
                fingerprint=request.POST.get("fingerprint", ""),
                quote=request.POST.get("decision") == "quote",
                text=request.POST.get("text", ""),
                text_es=request.POST.get("text_es", ""),
                checked=request.POST.get("checked") == "yes",
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(
                request,
                _("The comment will be quoted.")
                if request.POST.get("decision") == "quote"
                else _("Left out."),
            )
        return redirect(
            "manage:reports:report-comments", agency_slug=request.agency.slug, report_id=report.pk
        )
    return _render(
        request,
        "manage/reports/comments.html",
        {
            "report": report,
            "candidates": selectors.comments_to_review(report),
            "quotes": selectors.quoted_comments(report),
        },
    )


@member_view(EDIT)
@require_POST
def report_quote_withdraw(request: AgencyRequest, report_id: int, quote_id: int) -> HttpResponse:
    report = selectors.report_of(request.agency, report_id)
    try:
        services.withdraw_quote(actor=request.user, report=report, quote_id=quote_id)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The quote is out of the report."))
    return redirect("manage:reports:report-comments", agency_slug=request.agency.slug, report_id=report.pk)


@member_view()
def report_pdf(request: AgencyRequest, report_id: int) -> HttpResponse:
    report = selectors.report_of(request.agency, report_id)
    context = {**report_context(report), "agency": request.agency, "language": "en"}
    return pdf.render_pdf(request, "reports/report_pdf.html", context, f"survey-report-{report.period}.pdf")


# --- the customer service plan ---


@member_view(EDIT)
def plan_new(request: AgencyRequest) -> HttpResponse:
    form = YearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = services.start_plan(
            actor=request.user, agency=request.agency, fiscal_year=form.cleaned_data["fiscal_year"]
        )
        return redirect("manage:reports:plan", agency_slug=request.agency.slug, plan_id=plan.pk)
    return _render(
        request, "manage/form_page.html", {"form": form, "title": _("Start a customer service plan")}
    )


@member_view()
def plan_detail(request: AgencyRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of(request.agency, plan_id)
    return _render(
        request,
        "manage/reports/plan.html",
        {
            "plan": plan,
            "sections": selectors.plan_readability(plan),
            "checks": PLAIN_LANGUAGE_CHECKS,
            "problems": services.approval_problems(plan),
            "can_edit": request.membership.can(EDIT),
            "can_approve": request.membership.can(APPROVE),
        },
    )


@member_view(EDIT)
def plan_section(request: AgencyRequest, plan_id: int, section: str) -> HttpResponse:
    plan = selectors.plan_of(request.agency, plan_id)
    if section not in PlanSection.values:
        raise Http404("No such section.")
    initial = {
        "english": plan.text(section, "en"),
        "spanish": plan.text(section, "es"),
        "checks": plan.checklist.get(section) or [],
    }
    form = PlanSectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.write_plan_section(
                actor=request.user,
                plan=plan,
                section=section,
                english=form.cleaned_data["english"],
                spanish=form.cleaned_data["spanish"],
                checks=form.cleaned_data["checks"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Section saved."))
        return redirect("manage:reports:plan", agency_slug=request.agency.slug, plan_id=plan.pk)
    return _render(request, "manage/form_page.html", {"form": form, "title": PlanSection(section).label})


@member_view(EDIT)
@require_POST
def plan_move(request: AgencyRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of(request.agency, plan_id)
    _move(request, plan)
    return redirect("manage:reports:plan", agency_slug=request.agency.slug, plan_id=plan.pk)


def plan_context(plan: Any, language: str) -> dict[str, Any]:
    sections = [
        {"key": s.value, "label": s.label, "text": plan.text(s.value, language) or plan.text(s.value, "en")}
        for s in PlanSection
    ]
    return {
        "plan": plan,
        "sections": sections,
        "figures": selectors.plan_figures(plan.agency),
        "language": language,
    }


@member_view()
def plan_pdf(request: AgencyRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of(request.agency, plan_id)
    context = {**plan_context(plan, "en"), "agency": request.agency}
    return pdf.render_pdf(
        request, "reports/plan_pdf.html", context, f"customer-service-plan-{plan.fiscal_year}.pdf"
    )


# --- the A-11 collections ---


@member_view()
def collections(request: AgencyRequest) -> HttpResponse:
    return _render(
        request,
        "manage/reports/collections.html",
        {"collections": selectors.collections_of(request.agency), "can_edit": request.membership.can(EDIT)},
    )


def _collection_form(request: AgencyRequest, collection: A11Collection | None) -> HttpResponse:
    form = CollectionForm(request.POST or None, instance=collection, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_collection(
                actor=request.user,
                agency=request.agency,
                data=form.cleaned_data,
                collection=selectors.collection_of(request.agency, collection.pk) if collection else None,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return redirect(
                "manage:reports:collection", agency_slug=request.agency.slug, collection_id=saved.pk
            )
    return _render(request, "manage/form_page.html", {"form": form, "title": _("A-11 quarterly collection")})


@member_view(EDIT)
def collection_new(request: AgencyRequest) -> HttpResponse:
    return _collection_form(request, None)


@member_view(EDIT)
def collection_edit(request: AgencyRequest, collection_id: int) -> HttpResponse:
    return _collection_form(request, selectors.collection_of(request.agency, collection_id))


@member_view()
def collection_detail(request: AgencyRequest, collection_id: int) -> HttpResponse:
    collection = selectors.collection_of(request.agency, collection_id)
    return _render(
        request,
        "manage/reports/collection.html",
        {
            "collection": collection,
            "upload_form": UploadForm(),
            "review_form": ReviewForm(),
            "headers": A11_UPLOAD_HEADERS,
            "can_edit": request.membership.can(EDIT),
            "can_review": request.membership.can(APPROVE),
        },
    )


@member_view(EDIT)
@require_POST
def collection_fill(request: AgencyRequest, collection_id: int) -> HttpResponse:
    collection = selectors.collection_of(request.agency, collection_id)
    try:
        services.fill_from_survey(actor=request.user, collection=collection)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Filled from the survey's responses of the quarter."))
    return redirect("manage:reports:collection", agency_slug=request.agency.slug, collection_id=collection.pk)


@member_view(EDIT)
@require_POST
def collection_upload(request: AgencyRequest, collection_id: int) -> HttpResponse:
    collection = selectors.collection_of(request.agency, collection_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the CSV file to upload."))
    else:
        try:
            services.upload_responses(
                actor=request.user, collection=collection, content=form.cleaned_data["file"].read()
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Uploaded; the file's respondents replace any uploaded before."))
    return redirect("manage:reports:collection", agency_slug=request.agency.slug, collection_id=collection.pk)


@member_view(EDIT)
@require_POST
def collection_move(request: AgencyRequest, collection_id: int) -> HttpResponse:
    collection = selectors.collection_of(request.agency, collection_id)
    to = request.POST.get("to", "")
    reviewing = {A11Collection.State.PUBLISHED, A11Collection.State.CHANGE_REQUESTED}
    if to in reviewing and not request.membership.can(APPROVE):
        raise PermissionDenied(_("Only the agency admin reviews A-11 collections."))
    try:
        services.move_collection(
            actor=request.user, collection=collection, to=to, note=request.POST.get("note", "")
        )
    except (ValidationError, ValueError) as error:
        _errors(request, error if isinstance(error, ValidationError) else ValidationError(str(error)))
    else:
        messages.success(request, _("Done."))
    return redirect("manage:reports:collection", agency_slug=request.agency.slug, collection_id=collection.pk)


def _csv(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    from touchstone.core.importing import SafeCsvWriter

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SafeCsvWriter(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@member_view(EDIT)
def collection_export(request: AgencyRequest, collection_id: int) -> HttpResponse:
    collection = selectors.collection_of(request.agency, collection_id)
    name = f"a11-{collection.fiscal_year}-q{collection.quarter}-{collection.service.slug}-{collection.channel}.csv"
    return _csv(name, A11_UPLOAD_HEADERS, services.collection_rows(collection))


@member_view(EDIT)
def collection_counts(request: AgencyRequest, collection_id: int) -> HttpResponse:
    collection = selectors.collection_of(request.agency, collection_id)
    name = f"a11-counts-{collection.fiscal_year}-q{collection.quarter}-{collection.service.slug}.csv"
    return _csv(name, services.COUNTS_HEADERS, services.question_counts(collection))


# --- the yearly action plan ---


@member_view(EDIT)
def action_plan_new(request: AgencyRequest) -> HttpResponse:
    form = YearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = services.start_action_plan(
            actor=request.user, agency=request.agency, fiscal_year=form.cleaned_data["fiscal_year"]
        )
        return redirect("manage:reports:action-plan", agency_slug=request.agency.slug, action_plan_id=plan.pk)
    return _render(request, "manage/form_page.html", {"form": form, "title": _("Start an A-11 action plan")})


@member_view()
def action_plan_detail(request: AgencyRequest, action_plan_id: int) -> HttpResponse:
    plan = selectors.action_plan_of(request.agency, action_plan_id)
    return _render(
        request,
        "manage/reports/action_plan.html",
        {
            "plan": plan,
            "goals": plan.goals.select_related("service"),
            "form": CapacityForm(initial={"capacity_assessment": plan.capacity_assessment}),
            "can_edit": request.membership.can(EDIT),
            "can_approve": request.membership.can(APPROVE),
        },
    )


@member_view(EDIT)
@require_POST
def action_plan_capacity(request: AgencyRequest, action_plan_id: int) -> HttpResponse:
    plan = selectors.action_plan_of(request.agency, action_plan_id)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.write_action_plan(
                actor=request.user, plan=plan, capacity_assessment=form.cleaned_data["capacity_assessment"]
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Capacity assessment saved."))
    return redirect("manage:reports:action-plan", agency_slug=request.agency.slug, action_plan_id=plan.pk)


@member_view(EDIT)
def goal_new(request: AgencyRequest, action_plan_id: int) -> HttpResponse:
    plan = selectors.action_plan_of(request.agency, action_plan_id)
    form = GoalForm(request.POST or None, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_goal(actor=request.user, plan=plan, data=form.cleaned_data)
        except ValidationError as error:
            for field, problems in (
                error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
            ):
                form.add_error(field, problems)
        else:
            return redirect(
                "manage:reports:action-plan", agency_slug=request.agency.slug, action_plan_id=plan.pk
            )
    return _render(request, "manage/form_page.html", {"form": form, "title": _("Add a goal")})


@member_view(EDIT)
@require_POST
def action_plan_move(request: AgencyRequest, action_plan_id: int) -> HttpResponse:
    plan = selectors.action_plan_of(request.agency, action_plan_id)
    _move(request, plan)
    return redirect("manage:reports:action-plan", agency_slug=request.agency.slug, action_plan_id=plan.pk)


# --- scheduled delivery ---


@member_view(APPROVE)
def deliveries(request: AgencyRequest) -> HttpResponse:
    form = DeliveryForm(request.POST or None, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_delivery(
                actor=request.user,
                agency=request.agency,
                kind=form.cleaned_data["kind"],
                every_days=form.cleaned_data["every_days"],
                recipients=list(form.cleaned_data["recipients"]),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Scheduled. Each email holds only a link to the signed-in page."))
            return redirect("manage:reports:deliveries", agency_slug=request.agency.slug)
    return _render(
        request,
        "manage/reports/deliveries.html",
        {"deliveries": selectors.deliveries_of(request.agency), "form": form},
    )


@member_view(APPROVE)
@require_POST
def delivery_remove(request: AgencyRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery_of(request.agency, delivery_id)
    services.remove_delivery(actor=request.user, delivery=delivery)
    messages.success(request, _("Delivery removed."))
    return redirect("manage:reports:deliveries", agency_slug=request.agency.slug)
