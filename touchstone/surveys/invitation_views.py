"""Workspace pages of a survey's email invitations: contacts, sending, reminders, dispositions, response rates."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.pages import render_workspace
from touchstone.surveys import invitations, selectors
from touchstone.surveys.models import Invitation, Survey

EDIT = "edit_surveys"
PER_PAGE = 50
MOST_BYTES = 10 * 1024 * 1024

# (attribute of OutcomeRates, what it is) in the order AAPOR gives them.
RATES = [
    ("rr1", gettext_lazy("Completes over all eligible and unknown cases.")),
    ("rr2", gettext_lazy("Completes and partials over all eligible and unknown cases.")),
    (
        "rr3",
        gettext_lazy("Completes over eligible cases and the estimated eligible share (e) of unknown ones."),
    ),
    ("rr4", gettext_lazy("Completes and partials, with the estimated eligible share (e) of unknown cases.")),
    ("rr5", gettext_lazy("Completes over the cases known to be eligible.")),
    ("rr6", gettext_lazy("Completes and partials over the cases known to be eligible.")),
    ("coop1", gettext_lazy("Completes over the eligible cases reached.")),
    ("coop2", gettext_lazy("Completes and partials over the eligible cases reached.")),
    ("coop3", gettext_lazy("Completes over those reached who could answer (no other non-response).")),
    ("coop4", gettext_lazy("Completes and partials over those reached who could answer.")),
    ("ref1", gettext_lazy("Refusals over all eligible and unknown cases.")),
    ("ref2", gettext_lazy("Refusals, with the estimated eligible share (e) of unknown cases.")),
    ("ref3", gettext_lazy("Refusals over the cases known to be eligible.")),
    ("con1", gettext_lazy("Cases reached over all eligible and unknown cases.")),
    ("con2", gettext_lazy("Cases reached, with the estimated eligible share (e) of unknown cases.")),
    ("con3", gettext_lazy("Cases reached over the cases known to be eligible.")),
]


class ContactsForm(UswdsFormMixin, forms.Form):
    contacts = forms.FileField(
        label=gettext_lazy("List of contacts (CSV)"),
        help_text=gettext_lazy(
            "One contact a line, with a first line naming the columns: email (required), and if you like "
            "service (a service’s short name) and channel. Other columns are not read. If any line is wrong, "
            "nothing is added and every wrong line is listed."
        ),
    )


class ReminderForm(UswdsFormMixin, forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Remind those invited at least this many days ago"),
        min_value=0,
        max_value=365,
        initial=invitations.DEFAULT_REMINDER_DAYS,
        help_text=gettext_lazy(
            "Each person is reminded once, and only if they have not answered and did not unsubscribe."
        ),
    )


class EligibleShareForm(UswdsFormMixin, forms.Form):
    e = forms.FloatField(
        label=gettext_lazy("Estimated eligible share of unknown cases (e)"),
        min_value=0,
        max_value=1,
        required=False,
        help_text=gettext_lazy(
            "A proportion from 0 to 1. Left empty, it is the share eligible among the invitations whose "
            "eligibility is known (complete, partial, refusal, non-contact, other, over those and the not "
            "eligible), the usual estimate. RR3, RR4, REF2 and CON2 use it."
        ),
    )


class DispositionForm(UswdsFormMixin, forms.Form):
    disposition = forms.ChoiceField(label=gettext_lazy("Disposition"), choices=Invitation.Disposition.choices)


class DispositionsByEmailForm(UswdsFormMixin, forms.Form):
    emails = forms.CharField(
        label=gettext_lazy("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One a line, for example the bounces your mail server reported."),
    )
    disposition = forms.ChoiceField(
        label=gettext_lazy("Set them to"),
        choices=Invitation.Disposition.choices,
        initial=Invitation.Disposition.UNDELIVERABLE,
    )


def _invitations_url(survey: Survey) -> str:
    return reverse("manage:surveys:invitations", args=[survey.agency.slug, survey.pk])


def _percent(value: float | None) -> str:
    # Rounded first: number_format cuts a float's extra digits off rather than rounding them.
    return "—" if value is None else number_format(round(value * 100, 1), 1) + " %"


def _page(request: AgencyRequest, survey: Survey, status: int = 200, **forms_given: Any) -> HttpResponse:
    can_edit = request.membership.can(EDIT)
    share_form = EligibleShareForm(request.GET if "e" in request.GET else None)
    e = share_form.cleaned_data.get("e") if share_form.is_bound and share_form.is_valid() else None
    counts = invitations.disposition_counts(survey)
    rates = invitations.response_rates(counts, e)
    page = Paginator(invitations.invitations_of(survey), PER_PAGE).get_page(request.GET.get("page"))
    return render_workspace(
        request,
        "manage/surveys/invitations.html",
        {
            "survey": survey,
            "can_edit": can_edit,
            "counts": [
                (label, invitations.AAPOR_SYMBOL[value], counts[value])
                for value, label in Invitation.Disposition.choices
            ],
            "unsent": counts["unsent"],
            "sample_size": sum(counts.values()) - counts["unsent"],
            "rates": [
                (name.upper(), description, _percent(getattr(rates.rates, name)))
                for name, description in RATES
            ],
            "e": "—" if rates.e is None else number_format(round(rates.e, 3), 3),
            "e_given": rates.e_given,
            "e_estimated": "—"
            if rates.e_estimated is None
            else number_format(round(rates.e_estimated, 3), 3),
            "share_form": share_form,
            "page": page,
            "dispositions": Invitation.Disposition.choices,
            "contacts_form": forms_given.get("contacts_form") or ContactsForm(),
            "contact_problems": forms_given.get("contact_problems", []),
            "reminder_form": forms_given.get("reminder_form") or ReminderForm(),
            "bulk_form": forms_given.get("bulk_form") or DispositionsByEmailForm(),
            "collecting": survey.collecting(),
        },
        status=status,
    )


@member_view()
def invitation_list(request: AgencyRequest, survey_id: int) -> HttpResponse:
    return _page(request, selectors.survey_of(request.agency, survey_id))


@member_view(EDIT)
@require_POST
def contacts_upload(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    form = ContactsForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["contacts"]
        if upload.size > MOST_BYTES:
            form.add_error("contacts", _("The file is larger than 10 MB; split it."))
        else:
            try:
                added = invitations.add_contacts(actor=request.user, survey=survey, data=upload.read())
            except invitations.ContactsRefused as refused:
                return _page(
                    request,
                    survey,
                    status=400,
                    contacts_form=form,
                    contact_problems=[str(problem) for problem in refused.problems],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                message = _("%(n)s contacts added; send the invitations when you are ready.") % {
                    "n": added.count
                }
                if added.ignored_columns:
                    message += " " + _("These columns were not read: %(columns)s.") % {
                        "columns": ", ".join(added.ignored_columns)
                    }
                messages.success(request, message)
                return redirect(_invitations_url(survey))
    return _page(request, survey, status=400, contacts_form=form)


@member_view(EDIT)
@require_POST
def invitations_send(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    try:
        count = invitations.send_invitations(actor=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)s invitations are being sent.") % {"n": count})
    return redirect(_invitations_url(survey))


@member_view(EDIT)
@require_POST
def reminders_send(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        return _page(request, survey, status=400, reminder_form=form)
    try:
        count = invitations.send_reminders(actor=request.user, survey=survey, days=form.cleaned_data["days"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)s reminders are being sent.") % {"n": count})
    return redirect(_invitations_url(survey))


@member_view(EDIT)
@require_POST
def invitation_disposition(request: AgencyRequest, survey_id: int, invitation_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    invitation = invitations.invitation_of(survey, invitation_id)
    form = DispositionForm(request.POST)
    if form.is_valid():
        invitations.set_disposition(
            actor=request.user, invitation=invitation, disposition=form.cleaned_data["disposition"]
        )
        messages.success(
            request,
            _("Invitation %(id)s is now: %(disposition)s.")
            % {"id": invitation.pk, "disposition": invitation.get_disposition_display()},
        )
    else:
        messages.error(request, _("Choose one of the dispositions."))
    return redirect(_invitations_url(survey))


@member_view(EDIT)
@require_POST
def dispositions_by_email(request: AgencyRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_of(request.agency, survey_id)
    form = DispositionsByEmailForm(request.POST)
    if form.is_valid():
        try:
            count = invitations.set_dispositions_by_email(
                actor=request.user, survey=survey, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error("emails", error)
        else:
            messages.success(request, _("%(n)s invitations changed.") % {"n": count})
            return redirect(_invitations_url(survey))
    return _page(request, survey, status=400, bulk_form=form)
