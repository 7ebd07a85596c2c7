"""Workspace pages for collecting at scale without refusing people: a survey's kiosk devices, and the agency's
known networks (its offices behind one address), which its surveys allow more answers a minute."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.pages import render_workspace
from touchstone.surveys import selectors, services
from touchstone.surveys.models import KioskDevice, KnownNetwork

EDIT = "edit_surveys"
MANAGE = "manage_agency"


class KioskForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = KioskDevice
        fields = ["name", "per_minute"]


class KnownNetworkForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = KnownNetwork
        fields = ["network", "label", "per_minute"]


def _kiosks_url(request: AgencyRequest, survey_id: int) -> str:
    return reverse("manage:surveys:kiosks", args=[request.agency.slug, survey_id])


@member_view()
def kiosks(request: AgencyRequest, survey_id: int) -> HttpResponse:
    """A survey's kiosks; issuing one shows its address once (only a hash of the token is kept)."""
    survey = selectors.survey_of(request.agency, survey_id)
    can_edit = request.membership.can(EDIT)
    form = KioskForm(request.POST or None)
    link = ""
    if request.method == "POST":
        if not can_edit:
            return redirect(_kiosks_url(request, survey.pk))
        if form.is_valid():
            try:
                kiosk, token = services.issue_kiosk(actor=request.user, survey=survey, data=form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                link = request.build_absolute_uri(
                    reverse("portal_surveys:kiosk", args=[survey.short_code, token])
                )
                messages.success(request, _("Kiosk “%(name)s” is ready.") % {"name": kiosk.name})
                form = KioskForm()
    return render_workspace(
        request,
        "manage/surveys/kiosks.html",
        {
            "survey": survey,
            "kiosks": selectors.kiosks_of(survey),
            "form": form,
            "link": link,
            "can_edit": can_edit,
        },
        status=400 if form.errors else 200,
    )


@member_view(EDIT)
@require_POST
def kiosk_revoke(request: AgencyRequest, survey_id: int, kiosk_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    kiosk = selectors.kiosk_of(survey, kiosk_id)
    services.revoke_kiosk(actor=request.user, kiosk=kiosk)
    messages.success(request, _("Kiosk “%(name)s” is switched off.") % {"name": kiosk.name})
    return redirect(_kiosks_url(request, survey.pk))


@member_view()
def known_networks(request: AgencyRequest) -> HttpResponse:
    """The agency's known networks; only an agency admin adds or removes them."""
    can_manage = request.membership.can(MANAGE)
    form = KnownNetworkForm(request.POST or None)
    if request.method == "POST" and can_manage and form.is_valid():
        try:
            services.add_known_network(actor=request.user, agency=request.agency, data=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The network is added."))
            return redirect("manage:surveys:known-networks", request.agency.slug)
    return render_workspace(
        request,
        "manage/surveys/known_networks.html",
        {
            "networks": selectors.known_networks_of(request.agency),
            "form": form,
            "can_manage": can_manage,
            "default_limit": settings.SURVEY_SUBMISSIONS_PER_MINUTE,
        },
        status=400 if form.errors else 200,
    )


def _add_errors(form: forms.ModelForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@member_view(MANAGE)
@require_POST
def known_network_remove(request: AgencyRequest, network_id: int) -> HttpResponse:
    network = selectors.known_network_of(request.agency, network_id)
    services.remove_known_network(actor=request.user, network=network)
    messages.success(request, _("The network is removed."))
    return redirect("manage:surveys:known-networks", request.agency.slug)
