"""Workspace pages of improvement: the service page, actions and their effect, follow-ups, rules and alerts."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.core import charts
from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.pages import form_page, render_workspace
from touchstone.improvement import forms, selectors, services
from touchstone.improvement.presentation import VERDICT_LABELS, effect_sentence, timeline

EDIT = "edit_standards"
HANDLE = "handle_complaints"
ADMIN = "manage_agency"


@member_view()
def home(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return render_workspace(
        request,
        "manage/improvement/home.html",
        {
            "services": selectors.services_of(agency),
            "followed": list(selectors.followed_services(agency, request.user)),  # type: ignore[arg-type]
            "actions": selectors.actions_of(agency).exclude(status="dropped")[:50],
            "can_handle": request.membership.can(HANDLE),
            "can_admin": request.membership.can(ADMIN),
        },
    )


@member_view()
def service_page(request: AgencyRequest, service_id: int) -> HttpResponse:
    """One service on one page: what is wrong, why, what is being done and whether it worked."""
    agency = request.agency
    service = selectors.service_of(agency, service_id)
    page = selectors.service_page(agency, service, request.user)  # type: ignore[arg-type]
    labels, series, table = timeline(page)
    return render_workspace(
        request,
        "manage/improvement/service.html",
        {
            "page": page,
            "service": service,
            "timeline_chart": charts.lines(
                _("Standards met and survey shares agreeing by month, %(name)s")
                % {"name": service.display_name},
                labels,
                series,
                percent=True,
            )
            if series
            else None,
            "timeline_series": [s.label for s in series],
            "timeline_rows": table,
            "effects": [(found, effect_sentence(found)) for found in page.actions],
            "channel_shares": [
                (label, page.channel_mix.share(code)) for code, label in page.channel_mix.channels
            ]
            if page.channel_mix.grand_total
            else [],
            "can_edit": request.membership.can(EDIT),
            "can_see_board": request.membership.role in selectors.BOARD_ROLES,
            "can_handle": request.membership.can(HANDLE),
        },
    )


@member_view()
@require_POST
def follow(request: AgencyRequest, service_id: int) -> HttpResponse:
    agency = request.agency
    service = selectors.service_of(agency, service_id)
    wanted = request.POST.get("follow") == "yes"
    services.set_following(actor=request.user, agency=agency, service=service, follow=wanted)  # type: ignore[arg-type]
    messages.success(
        request,
        _("You follow this service: alerts come in Touchstone and in one email digest.")
        if wanted
        else _("You no longer follow this service."),
    )
    return redirect("manage:improvement:service", agency.slug, service.pk)


@member_view(EDIT)
def action_new(request: AgencyRequest, service_id: int) -> HttpResponse:
    agency = request.agency
    service = selectors.service_of(agency, service_id)
    initial: dict[str, Any] = {"owner": request.user}
    return form_page(
        request,
        forms.ActionForm(request.POST or None, agency=agency, service=service, initial=initial),
        lambda data: services.save_action(actor=request.user, agency=agency, service=service, data=data),  # type: ignore[arg-type]
        title=_("New improvement action for %(name)s") % {"name": service.display_name},
        success=_("Action saved."),
        then=lambda action: reverse("manage:improvement:action", args=[agency.slug, action.pk]),
    )


@member_view()
def action_detail(request: AgencyRequest, action_id: int) -> HttpResponse:
    agency = request.agency
    action = selectors.action_of(agency, action_id)
    found = selectors.action_effect(agency, action)
    chart = None
    if found.values and any(v is not None for v in found.values):
        chart = charts.lines(
            _("%(measure)s by period") % {"measure": found.measure_label},
            found.labels,
            [charts.Series(found.measure_label, found.values)],
            percent=True,
        )
    return render_workspace(
        request,
        "manage/improvement/action.html",
        {
            "action": action,
            "found": found,
            "sentence": effect_sentence(found),
            "verdict": VERDICT_LABELS.get(found.effect.verdict, "") if found.effect else "",
            "chart": chart,
            "rows": list(zip(found.labels, found.values, strict=True)),
            "can_edit": request.membership.can(EDIT),
        },
    )


@member_view(EDIT)
def action_edit(request: AgencyRequest, action_id: int) -> HttpResponse:
    agency = request.agency
    action = selectors.action_of(agency, action_id)
    return form_page(
        request,
        forms.ActionForm(request.POST or None, instance=action, agency=agency, service=action.service),
        lambda data: services.save_action(
            actor=request.user,  # type: ignore[arg-type]
            agency=agency,
            service=action.service,
            data=data,
            action=action,
        ),
        title=_("Change the action"),
        success=_("Action saved."),
        then=reverse("manage:improvement:action", args=[agency.slug, action.pk]),
    )


@member_view(HANDLE)
def follow_ups(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    mine = request.GET.get("mine") == "1"
    found = selectors.open_follow_ups(agency, owner=request.user if mine else None)  # type: ignore[arg-type]
    return render_workspace(
        request,
        "manage/improvement/follow_ups.html",
        {
            "follow_ups": found[:200],
            "mine": mine,
            "closed": selectors.follow_ups_of(agency).filter(state="closed")[:20],
        },
    )


@member_view(HANDLE)
def follow_up_detail(request: AgencyRequest, follow_up_id: int) -> HttpResponse:
    agency = request.agency
    follow_up = selectors.follow_up_of(agency, follow_up_id)
    form = forms.CloseForm(request.POST or None)
    if request.method == "POST" and follow_up.state == "open" and form.is_valid():
        services.close_follow_up(actor=request.user, follow_up=follow_up, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Follow-up closed; its outcome counts on the service page."))
        return redirect("manage:improvement:follow-ups", agency.slug)
    return render_workspace(
        request,
        "manage/improvement/follow_up.html",
        {"follow_up": follow_up, "answers": selectors.contact_answers(follow_up), "form": form},
    )


@member_view(ADMIN)
def rules(request: AgencyRequest) -> HttpResponse:
    return render_workspace(
        request, "manage/improvement/rules.html", {"rules": selectors.rules_of(request.agency)}
    )


@member_view(ADMIN)
def rule_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        forms.RuleForm(request.POST or None, agency=agency),
        lambda data: services.save_rule(actor=request.user, agency=agency, data=data),  # type: ignore[arg-type]
        title=_("New follow-up rule"),
        success=_("Rule saved. It opens follow-ups only for customers who agreed to be contacted."),
        then=reverse("manage:improvement:rules", args=[agency.slug]),
    )


@member_view(ADMIN)
def rule_edit(request: AgencyRequest, follow_up_rule_id: int) -> HttpResponse:
    agency = request.agency
    rule = selectors.rule_of(agency, follow_up_rule_id)
    return form_page(
        request,
        forms.RuleForm(request.POST or None, instance=rule, agency=agency),
        lambda data: services.save_rule(actor=request.user, agency=agency, data=data, rule=rule),  # type: ignore[arg-type]
        title=_("Change the follow-up rule"),
        success=_("Rule saved."),
        then=reverse("manage:improvement:rules", args=[agency.slug]),
    )


@member_view()
def alerts(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return render_workspace(
        request,
        "manage/improvement/alerts.html",
        {
            "alerts": selectors.alerts_for(agency, request.user)[:100],  # type: ignore[arg-type]
            "followed": selectors.followed_services(agency, request.user),  # type: ignore[arg-type]
        },
    )
