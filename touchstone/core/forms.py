"""Forms of the foundation. `UswdsFormMixin` gives every widget its USWDS class, so forms look alike."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from touchstone.core.importing import importers_offered_to, upload_too_large
from touchstone.core.models import Agency, ApiToken, InSpanishToo, Office, Role, User

USWDS_CLASSES = {
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
    forms.CheckboxSelectMultiple: "usa-checkbox__input",
    forms.RadioSelect: "usa-radio__input",
    forms.ClearableFileInput: "usa-file-input",
    forms.FileInput: "usa-file-input",
}


class UswdsFormMixin:
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            widget = field.widget
            css = next((c for kind, c in USWDS_CLASSES.items() if type(widget) is kind), "usa-input")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            # Records an agency names in English and Spanish are listed as the rest of the page names them.
            model = getattr(getattr(field, "queryset", None), "model", None)
            if (
                isinstance(field, forms.ModelChoiceField)
                and type(field).label_from_instance is DEFAULT_LABEL
                and isinstance(model, type)
                and issubclass(model, InSpanishToo)
            ):
                field.label_from_instance = display_label  # type: ignore[method-assign,assignment]


DEFAULT_LABEL = forms.ModelChoiceField.label_from_instance


def display_label(record: InSpanishToo) -> str:
    return record.display_label


def file_input_texts(multiple: bool) -> dict[str, str]:
    """The texts USWDS's file input writes (in English) around a file input, in the page's language, as the input's
    data attributes. USWDS 3 reads only `data-errormessage`; static/touchstone/js/site.js puts the others in place
    of its English. `{count}`, `{name}` and `{names}` are filled in by the script."""
    amount = "several files" if multiple else "one file"
    return {
        "data-errormessage": gettext("Error: This is not a valid file type."),
        "data-drag-text": gettext("Drag files here or") if multiple else gettext("Drag file here or"),
        "data-choose-text": pgettext(amount, "choose from folder"),
        "data-choose-text-alone": pgettext(amount, "Choose from folder"),
        "data-selected-one": gettext("Selected file"),
        "data-selected-many": gettext("%(count)s files selected") % {"count": "{count}"},
        "data-change-one": gettext("Change file"),
        "data-change-many": gettext("Change files"),
        "data-status-none": gettext("No files selected.") if multiple else gettext("No file selected."),
        "data-status-one": gettext("You have selected the file: %(name)s") % {"name": "{name}"},
        "data-status-many": gettext("You have selected %(count)s files: %(names)s")
        % {"count": "{count}", "names": "{names}"},
    }


class SignInForm(UswdsFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name or password is not right. Check both and try again; after several "
            "failed tries, sign-in from here is paused for a while."
        ),
    }


class AgencyForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "name_es", "abbreviation", "is_independent", "mission", "mission_es", "website"]


class SecondFactorCodeForm(UswdsFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class OfficeForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Office
        fields = [
            "name",
            "kind",
            "street_address",
            "city",
            "state",
            "postal_code",
            "phone",
            "hours",
            "time_zone",
        ]
        help_texts = {
            "state": _("Two letters, for example MD."),
            "time_zone": _("For example America/Chicago."),
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Office.objects.filter(agency=self.agency, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("This agency already has an office called “%(name)s”; choose another name."),
                params={"name": name},
            )
        return name

    def clean_time_zone(self) -> str:
        import zoneinfo

        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(
                _("“%(value)s” is not a time zone; write it like America/New_York."), params={"value": value}
            )
        return value


class PersonForm(UswdsFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.filter(agency=agency)  # type: ignore[attr-defined]


class RoleForm(UswdsFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiTokenForm(UswdsFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “Kiosk app”.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"), choices=ApiToken.Scope.choices, widget=forms.CheckboxSelectMultiple
    )


class ImportForm(UswdsFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(label=_("File"), help_text=_("CSV unless the kind says otherwise."))
    dry_run = forms.BooleanField(label=_("Only check the file; write nothing"), required=False)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = importers_offered_to(user)
        # Importers name themselves in English; the Spanish is in the catalog under the same words.
        self.fields["kind"].choices = [(kind, gettext(cls.label)) for kind, cls in sorted(self.kinds.items())]  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        message = upload_too_large(upload.size)
        if message:
            raise forms.ValidationError(message)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, upload = cleaned.get("kind"), cleaned.get("file")
        if kind and upload:
            suffixes = self.kinds[kind].suffixes
            if not upload.name.lower().endswith(suffixes):
                self.add_error(
                    "file",
                    _("This kind of import takes %(suffixes)s files.") % {"suffixes": ", ".join(suffixes)},
                )
        return cleaned
