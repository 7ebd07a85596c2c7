"""Forms of employee voice. They only validate; services do the writing."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from touchstone.core.forms import UswdsFormMixin
from touchstone.core.models import Agency, Role
from touchstone.surveys.models import Survey
from touchstone.voice import selectors, services
from touchstone.voice.models import (
    BarrierKind,
    BoardItem,
    EmployeeComment,
    EmployeeSurveySetup,
    RosterEntry,
    VoiceSettings,
)

MAX_LIST_BYTES = 2_000_000


def choose(field: forms.Field, choices: Any) -> None:
    """Set the choices of a choice field made at class level (mypy knows it only as a Field)."""
    cast(forms.ChoiceField, field).choices = choices


class NewEmployeeSurveyForm(UswdsFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Front-line employee survey"))
    ask_office = forms.BooleanField(
        label=_("Ask which office they work in (to break results down by office)"),
        required=False,
        initial=True,
    )
    ask_tenure = forms.BooleanField(
        label=_("Ask how long they have worked here (to break results down by tenure)"),
        required=False,
        initial=True,
    )


class LinksForm(UswdsFormMixin, forms.Form):
    """Whom to send one-use links: the HR roster, people of the agency by role, pasted addresses, or a list."""

    roster = forms.BooleanField(
        label=_("Everyone on the employee roster"),
        required=False,
        help_text=_("The roster imported from HR. Results can then be broken down by its attributes."),
    )
    roles = forms.MultipleChoiceField(
        label=_("People of this agency with the role"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    addresses = forms.CharField(
        label=_("Email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One a line. Addresses are kept only until the survey closes."),
    )
    upload = forms.FileField(
        label=_("Or upload a list"),
        required=False,
        help_text=_("A .csv or .txt file: one address a line, or a column headed “email”."),
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        emails = set(services.emails_of_people(self.agency, data.get("roles") or []))
        if data.get("roster"):
            emails |= set(RosterEntry.objects.filter(agency=self.agency).values_list("email", flat=True))
        try:
            if data.get("addresses"):
                emails |= set(services.read_email_list(data["addresses"]))
        except ValidationError as error:
            self.add_error("addresses", error)
        upload = data.get("upload")
        if upload is not None:
            if upload.size > MAX_LIST_BYTES:
                self.add_error("upload", _("The file is larger than 2 MB; split it and upload each part."))
            else:
                try:
                    emails |= set(services.read_email_list(upload.read().decode("utf-8-sig")))
                except UnicodeDecodeError:
                    self.add_error("upload", _("Save the file as UTF-8 text or CSV and upload it again."))
                except ValidationError as error:
                    self.add_error("upload", error)
        if not emails and not self.errors:
            raise ValidationError(_("Choose the roster or a role, or give at least one email address."))
        data["emails"] = sorted(emails)
        return data


class BreakdownForm(UswdsFormMixin, forms.Form):
    keys = forms.MultipleChoiceField(
        label=_("Break results down by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Questions the employee answers, such as office, tenure or role, or columns of the HR roster, which "
            "employees need not answer."
        ),
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roster = [
            (name, _("%(name)s (from the HR roster)") % {"name": name.replace("_", " ").capitalize()})
            for name in selectors.roster_attribute_names(survey.agency)
        ]
        choose(
            self.fields["keys"],
            [(q.key, f"{q.text} ({q.key})") for q in selectors.breakdown_candidates(survey)] + roster,
        )


class ReleaseRulesForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = EmployeeSurveySetup
        fields = ["release_every_days", "privacy_budget", "epsilon_per_release"]


class ReviewForm(UswdsFormMixin, forms.Form):
    redacted = forms.CharField(
        label=_("The comment as it may be shown"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Remove names, places, dates and anything else that could point to a person."),
    )

    @classmethod
    def for_comment(cls, comment: EmployeeComment, data: Any = None) -> "ReviewForm":
        return cls(data, initial={"redacted": comment.original})


class SettingsForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = VoiceSettings
        fields = ["minimum_group"]


def _choices_for_agency(form: forms.ModelForm, agency: Agency) -> None:
    fields = form.fields
    if "service" in fields:
        fields["service"].queryset = selectors.services_of(agency)  # type: ignore[attr-defined]
    if "journey_stage" in fields:
        fields["journey_stage"].queryset = selectors.stages_of(agency)  # type: ignore[attr-defined]
        fields["journey_stage"].label_from_instance = lambda s: f"{s.service.name}: {s.name}"  # type: ignore[attr-defined]
    if "standard" in fields:
        fields["standard"].queryset = selectors.standards_of(agency)  # type: ignore[attr-defined]
    if "topic" in fields:
        fields["topic"].queryset = selectors.topics_of(agency)  # type: ignore[attr-defined]


class BoardItemForm(UswdsFormMixin, forms.ModelForm):
    anonymous = forms.BooleanField(
        label=_("Post anonymously"),
        required=False,
        initial=True,
        help_text=_(
            "Your name is not kept with an anonymous post, so no one, not even you, can later see it was yours."
        ),
    )

    class Meta:
        model = BoardItem
        fields = ["kind", "summary", "text", "barrier_kind", "service", "journey_stage"]
        widgets = {"kind": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_for_agency(self, agency)
        choose(self.fields["barrier_kind"], BarrierKind.choices)
        self.fields["summary"].help_text = _("Do not name people. Describe the rule, process or tool.")


class TriageForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = BoardItem
        fields = ["status", "reply", "kind", "barrier_kind", "service", "journey_stage", "standard", "topic"]
        widgets = {"reply": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_for_agency(self, agency)


class MergeForm(UswdsFormMixin, forms.Form):
    keep = forms.ChoiceField(label=_("Merge this item into"))

    def __init__(self, *args: Any, item: BoardItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = selectors.board_items(item.agency).exclude(pk=item.pk)
        choose(self.fields["keep"], [("", _("- Select -"))] + [(str(i.pk), i.summary) for i in others])


class BoardFilterForm(UswdsFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Barrier or idea"), required=False)
    barrier_kind = forms.ChoiceField(label=_("Kind of barrier"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("Any"))]
        choose(self.fields["status"], every + list(BoardItem.Status.choices))
        choose(self.fields["kind"], every + list(BoardItem.Kind.choices))
        choose(self.fields["barrier_kind"], every + list(BarrierKind.choices))
        choose(self.fields["service"], every + [(str(s.pk), s.name) for s in selectors.services_of(agency)])

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data.get("status"),
            "kind": data.get("kind"),
            "barrier_kind": data.get("barrier_kind"),
            "service_id": data.get("service"),
        }
