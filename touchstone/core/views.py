"""Staff sign-in and the workspace pages of the foundation. Thin: forms validate, services write, selectors read."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.core import access, second_factor, selectors, services
from touchstone.core.access import AgencyRequest, SignedInRequest, member_view
from touchstone.core.audit_display import audit_lines
from touchstone.core.forms import (
    AgencyForm,
    ApiTokenForm,
    ImportForm,
    OfficeForm,
    PersonForm,
    RoleForm,
    SecondFactorCodeForm,
    SignInForm,
)
from touchstone.core.importing import EXPORTERS, IMPORTERS, export_to_string, exporter_for
from touchstone.core.pages import form_page, render_workspace
from touchstone.core.ratelimit import over_limit
from touchstone.core.tasks import read_progress


class SignInView(auth_views.LoginView):
    template_name = "registration/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        if getattr(self.request, "axes_locked_out", False):
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Sign-in from this address is paused after too many failed tries. Wait %(minutes)s minutes, "
                    "or reset your password by email."
                )
                % {"minutes": settings.SIGN_IN_LOCKOUT_MINUTES},
            )
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        held = second_factor.hold_sign_in(self.request, form.get_user(), self.get_success_url())
        return held or super().form_valid(form)


def second_factor_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign-in's second step for someone with an authenticator app: the code, a few tries a minute."""
    held = second_factor.held_user(request)
    if held is None:
        messages.info(request, _("Sign in again: that sign-in waited too long for its code."))
        return redirect("sign-in")
    user, pending = held
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if over_limit(request, f"second-factor:{user.pk}", settings.SECOND_FACTOR_TRIES_PER_MINUTE):
            form.add_error(None, _("Too many tries in the last minute. Please wait a minute and try again."))
            status = 429
        elif services.use_second_factor(user=user, code=form.cleaned_data["code"]):
            return second_factor.release_sign_in(request, user, pending)
        else:
            form.add_error("code", _("That code is not right, or was already used. Try the code shown now."))
            status = 400
    return render(request, "registration/second_factor.html", {"form": form}, status=status)


@login_required
def second_factor_settings(request: SignedInRequest) -> HttpResponse:
    """Turn an authenticator app on (scan, confirm with a code, keep the recovery codes shown once) or off."""
    import segno

    factor = second_factor.enrolled(request.user)
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if factor is None:
        secret = request.session.get("second_factor_secret") or second_factor.new_secret()
        request.session["second_factor_secret"] = secret
        if request.method == "POST" and form.is_valid():
            codes = services.enrol_second_factor(
                user=request.user, secret=secret, code=form.cleaned_data["code"]
            )
            if codes is not None:
                del request.session["second_factor_secret"]
                return render(request, "manage/second_factor_codes.html", {"codes": codes})
            form.add_error(
                "code",
                _("That code is not right. Check the app shows Touchstone, and try the code shown now."),
            )
            status = 400
        uri = second_factor.provisioning_uri(request.user, secret)
        context = {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": segno.make(uri, error="m").svg_inline(
                scale=4, title=_("QR code for your authenticator app")
            ),
        }
        return render(request, "manage/second_factor.html", context, status=status)
    if request.method == "POST" and form.is_valid():
        if services.use_second_factor(user=request.user, code=form.cleaned_data["code"]):
            services.remove_second_factor(user=request.user)
            messages.success(request, _("Your authenticator app is no longer asked for at sign-in."))
            return redirect("manage:second-factor")
        form.add_error("code", _("That code is not right, or was already used. Try the code shown now."))
        status = 400
    return render(request, "manage/second_factor.html", {"form": form, "factor": factor}, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email, a few requests a minute per address: nobody can flood a person's mailbox."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if over_limit(request, "password-reset", settings.PASSWORD_RESETS_PER_MINUTE):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Too many tries in the last minute. Please wait a minute and try again."))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = "60"
            return response
        return super().post(request, *args, **kwargs)


@login_required
def workspace_home(request: SignedInRequest) -> HttpResponse:
    """The agency switcher: straight to the only agency, or a choice among several."""
    memberships = list(selectors.memberships_of(request.user, only=access.sign_in_agency(request)))
    overseer = access.is_overseer(request)
    if overseer and not memberships:
        return redirect("manage:oversight")
    if len(memberships) == 1 and not overseer:
        return redirect("manage:agency-home", agency_slug=memberships[0].agency.slug)
    return render(request, "manage/choose_agency.html", {"memberships": memberships, "overseer": overseer})


# What each role opens the workspace for, first things first.
HOME_PANELS = {
    "admin": ["complaints", "standards", "surveys", "imports", "administration"],
    "analyst": ["surveys", "standards", "imports", "complaints"],
    "handler": ["complaints", "standards"],
}
HOME_PANELS_OTHERWISE = ["standards", "surveys", "complaints"]


@member_view()
def agency_home(request: AgencyRequest) -> HttpResponse:
    """The workspace home: what needs attention today for this person's role, each with a link to the detail."""
    from touchstone.analysis.selectors import survey_headlines
    from touchstone.complaints.selectors import clock_watch
    from touchstone.standards.selectors import recent_alerts, standards_kept

    agency, membership = request.agency, request.membership
    panels = HOME_PANELS.get(membership.role, HOME_PANELS_OTHERWISE)
    context: dict[str, Any] = {"panels": panels}
    if "complaints" in panels:
        mine = membership.role == "handler"
        context["clocks"] = clock_watch(agency, handler=request.user if mine else None)
        context["clocks_mine"] = mine
        context["can_handle"] = membership.can("handle_complaints")
    if "standards" in panels:
        kept = standards_kept(agency)
        context["kept"] = kept
        context["kept_met"] = sum(1 for k in kept if k.result is not None and k.result.met)
        context["kept_missed"] = sum(1 for k in kept if k.result is not None and k.result.met is False)
        context["alerts"] = recent_alerts(agency)
    if "surveys" in panels:
        context["headlines"] = survey_headlines(agency)
    if "imports" in panels and membership.can("import_data"):
        context["failed_imports"] = selectors.failed_imports_of(agency)
    if "administration" in panels:
        context["counts"] = selectors.agency_counts(agency)
        context["recent"] = audit_lines(selectors.audit_entries_of(agency)[:5], agency, detailed=False)
    return render_workspace(request, "manage/agency_home.html", context)


@member_view("manage_agency")
def agency_edit(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        AgencyForm(request.POST or None, instance=agency),
        lambda data: services.update_agency(actor=request.user, agency=agency, data=data),
        title=_("Agency details"),
        success=_("Agency details saved."),
        then=reverse("manage:agency-home", args=[agency.slug]),
    )


@member_view()
def office_list(request: AgencyRequest) -> HttpResponse:
    return render_workspace(request, "manage/offices.html", {"offices": selectors.offices_of(request.agency)})


@member_view("manage_agency")
def office_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        OfficeForm(request.POST or None, agency=agency),
        lambda data: services.create_office(actor=request.user, agency=agency, data=data),
        title=_("Add an office"),
        success=lambda office: _("Office “%(name)s” added.") % {"name": office.name},
        then=reverse("manage:offices", args=[agency.slug]),
    )


@member_view("manage_agency")
def office_edit(request: AgencyRequest, office_id: int) -> HttpResponse:
    agency = request.agency
    office = selectors.office_of(agency, office_id)
    return form_page(
        request,
        OfficeForm(request.POST or None, instance=office, agency=agency),
        lambda data: services.update_office(actor=request.user, office=office, data=data),
        title=_("Edit office"),
        success=lambda saved: _("Office “%(name)s” saved.") % {"name": saved.name},
        then=reverse("manage:offices", args=[agency.slug]),
    )


@member_view()
def people(request: AgencyRequest) -> HttpResponse:
    return render_workspace(request, "manage/people.html", {"members": selectors.members_of(request.agency)})


@member_view("manage_people")
def person_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        PersonForm(request.POST or None, agency=agency),
        lambda data: services.invite_person(actor=request.user, agency=agency, **data),
        title=_("Add a person"),
        success=_("Added. They set their password with “Forgot your password?” on the sign-in page."),
        then=reverse("manage:people", args=[agency.slug]),
    )


@member_view("manage_people")
def person_edit(request: AgencyRequest, membership_id: int) -> HttpResponse:
    agency = request.agency
    member = selectors.member_of(agency, membership_id)
    form = RoleForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        if member.user_id == request.user.pk and form.cleaned_data["role"] != member.role:
            form.add_error("role", _("You cannot change your own role; ask another admin."))
        else:
            services.add_member(
                actor=request.user,
                agency=agency,
                user=member.user,
                role=form.cleaned_data["role"],
                office=member.office,
            )
            messages.success(request, _("Role saved."))
            return redirect("manage:people", agency_slug=agency.slug)
    return render_workspace(
        request,
        "manage/form_page.html",
        {"form": form, "title": _("Role of %(name)s") % {"name": member.user}},
    )


@member_view("manage_tokens")
def tokens(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = services.create_api_token(
            actor=request.user,
            agency=agency,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
        )
        form = ApiTokenForm()
    return render_workspace(
        request,
        "manage/tokens.html",
        {"tokens": selectors.api_tokens_of(agency), "form": form, "new_secret": new_secret},
    )


@member_view("manage_tokens")
@require_POST
def token_revoke(request: AgencyRequest, token_id: int) -> HttpResponse:
    agency = request.agency
    token = selectors.api_token_of(agency, token_id)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(
        request,
        _("Token “%(name)s” revoked; clients using it are refused from now on.") % {"name": token.name},
    )
    return redirect("manage:tokens", agency_slug=agency.slug)


@member_view("view_audit")
def audit_log(request: AgencyRequest) -> HttpResponse:
    page = Paginator(selectors.audit_entries_of(request.agency), 50).get_page(request.GET.get("page"))
    lines = audit_lines(page.object_list, request.agency)
    return render_workspace(request, "manage/audit.html", {"page": page, "lines": lines})


@member_view("import_data")
def imports(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    asked = request.GET.get("kind", "")
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        # Signed in through one agency's own provider: that agency's kinds only, never the installation-wide ones.
        user=request.user if access.sign_in_agency(request) is None else None,
        initial={"kind": asked} if asked in IMPORTERS else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.start_import(
            actor=request.user,
            agency=agency,
            kind=form.cleaned_data["kind"],
            upload=upload,
            original_name=upload.name,
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("manage:import-run", agency_slug=agency.slug, run_id=run.pk)
    exporters = [(kind, _(cls.label)) for kind, cls in sorted(EXPORTERS.items()) if cls.needs_agency]
    kinds = [(kind, _(cls.label), _(cls.help_text)) for kind, cls in sorted(form.kinds.items())]
    return render_workspace(
        request,
        "manage/imports.html",
        {
            "form": form,
            "runs": selectors.import_runs_of(agency)[:20],
            "exporters": exporters,
            "kinds": kinds,
            "kind_labels": {kind: label for kind, label, _help in kinds},
        },
    )


@member_view("import_data")
def import_run(request: AgencyRequest, run_id: int) -> HttpResponse:
    run = selectors.import_run_of(request.agency, run_id)
    done, total = read_progress(run) if not run.is_finished else (run.rows_done, run.rows_total)
    percent = (
        100
        if run.is_finished and run.status != run.Status.FAILED
        else (round(100 * done / total) if total else 0)
    )
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": run.status,
                "status_label": run.get_status_display(),
                "rows_done": done,
                "rows_total": total,
                "percent": percent,
                "finished": run.is_finished,
            }
        )
    return render_workspace(
        request,
        "manage/import_run.html",
        {
            "run": run,
            "rows_done": done,
            "rows_total": total,
            "percent": percent,
            "status_url": reverse(
                "manage:import-run", kwargs={"agency_slug": request.agency.slug, "run_id": run.pk}
            ),
        },
    )


@member_view("import_data")
def export(request: AgencyRequest, kind: str) -> HttpResponse:
    try:
        exporter = exporter_for(kind)
    except KeyError as unknown:
        raise PermissionDenied(str(unknown)) from unknown
    if not exporter.needs_agency:
        raise PermissionDenied(
            _("That export covers every agency; it is only available from the command line.")
        )
    agency = request.agency
    body = export_to_string(kind, agency)
    response = HttpResponse(body, content_type=f"{exporter.content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agency.slug}-{kind}{exporter.suffix}"'
    return response


@login_required
def oversight(request: SignedInRequest) -> HttpResponse:
    """Government-wide view for overseers: every agency's public figures, nothing private."""
    if not access.is_overseer(request):
        raise PermissionDenied(_("Only government-wide overseers can see this page."))
    from touchstone.catalog.channels import Channel
    from touchstone.catalog.selectors import channel_totals

    labels = dict(Channel.choices)
    totals = sorted(channel_totals().items(), key=lambda item: -item[1])
    from touchstone.core import oversight as oversight_figures

    figures = oversight_figures.columns()
    return render(
        request,
        "manage/oversight.html",
        {
            "figures": figures,
            "rows": oversight_figures.rows(list(selectors.public_agencies()), figures),
            "channel_totals": [(labels.get(code, code), volume) for code, volume in totals],
        },
    )
