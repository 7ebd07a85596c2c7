"""Forms of the complaints capability. They validate only; services write."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from touchstone.catalog.channels import Channel
from touchstone.catalog.models import Service
from touchstone.complaints import selectors
from touchstone.complaints.attachments import MAX_ATTACHMENTS, check_attachment
from touchstone.complaints.models import (
    Article,
    CannedReply,
    Case,
    ComplaintSettings,
    EmailIntake,
    OfficeCalendar,
    RoutingRule,
    ServiceLevelPolicy,
    Severity,
    Topic,
    Urgency,
)
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.models import Agency, Office, User

STAFF_CHANNELS = [
    (Channel.PHONE, Channel.PHONE.label),
    (Channel.POSTAL_MAIL, Channel.POSTAL_MAIL.label),
    (Channel.IN_PERSON, Channel.IN_PERSON.label),
    (Channel.EMAIL, Channel.EMAIL.label),
    (Channel.FAX, Channel.FAX.label),
    (Channel.SOCIAL_MEDIA, Channel.SOCIAL_MEDIA.label),
    (Channel.OTHER_NON_DIGITAL, Channel.OTHER_NON_DIGITAL.label),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "usa-file-input"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ComplaintForm(UswdsFormMixin, forms.Form):
    """What a person tells us, from the public form or a staff member taking it down."""

    service = forms.ModelChoiceField(
        label=_("Which service is this about?"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("Not sure, or none of these"),
    )
    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_("Tell us what went wrong, when, and where. Do not include your Social Security number."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
    )
    remedy_wanted = forms.CharField(
        label=_("What would you like us to do?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2_000,
    )
    contact_name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    contact_preference = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=Case.ContactPreference.choices,
        initial=Case.ContactPreference.EMAIL,
        widget=forms.RadioSelect,
    )
    contact_email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_(
            "We send your tracking number here. You need it with this email to check your complaint."
        ),
    )
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    state_code = forms.CharField(
        label=_("State"), required=False, max_length=2, help_text=_("Two letters, for example MD.")
    )
    # Its own msgid: "ZIP code" is translated for the middle of a sentence, lower case in Spanish.
    postal_code = forms.CharField(
        label=pgettext_lazy("form label", "ZIP code"), required=False, max_length=10
    )
    consent_to_publish = forms.BooleanField(
        label=_("You may publish what happened, with my name and contact details removed."), required=False
    )
    attachments = MultipleFileField(
        label=_("Documents (optional)"),
        required=False,
        help_text=_("Up to 3 files: PDF, PNG, JPEG or plain text, each up to 5 MB."),
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = selectors.public_services_of(agency)  # type: ignore[attr-defined]
        self.checked_attachments: list[tuple[UploadedFile, str]] = []

    def clean_state_code(self) -> str:
        return self.cleaned_data["state_code"].strip().upper()

    def clean_attachments(self) -> list[UploadedFile]:
        uploads = self.cleaned_data.get("attachments") or []
        if len(uploads) > MAX_ATTACHMENTS:
            raise ValidationError(_("Attach at most 3 files."))
        self.checked_attachments = [(upload, check_attachment(upload)) for upload in uploads]
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        preference = data.get("contact_preference")
        if preference == Case.ContactPreference.EMAIL and not data.get("contact_email"):
            self.add_error("contact_email", _("Give an email address, or choose another way to contact you."))
        if preference == Case.ContactPreference.PHONE and not data.get("contact_phone"):
            self.add_error("contact_phone", _("Give a phone number, or choose another way to contact you."))
        return data

    def intake_data(self) -> dict[str, Any]:
        fields = [
            "service",
            "narrative",
            "remedy_wanted",
            "contact_name",
            "contact_preference",
            "contact_email",
            "contact_phone",
            "state_code",
            "postal_code",
            "consent_to_publish",
        ]
        return {
            name: self.cleaned_data.get(name) or ("" if name != "service" else None) for name in fields
        } | {"consent_to_publish": bool(self.cleaned_data.get("consent_to_publish"))}


class PublicComplaintForm(ComplaintForm):
    # A field people never see; software that fills every field gives itself away.
    website = forms.CharField(label=_("Leave this field empty"), required=False)


class StaffComplaintForm(ComplaintForm):
    channel = forms.ChoiceField(label=_("How did the complaint reach us?"), choices=STAFF_CHANNELS)
    field_order = ["channel"]

    def intake_data(self) -> dict[str, Any]:
        return super().intake_data() | {"channel": self.cleaned_data["channel"]}


class StatusCheckForm(UswdsFormMixin, forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=40, help_text=_("For example BA-2026-7K3F9Q.")
    )
    email = forms.EmailField(label=_("Email you gave us"))


class CustomerReplyForm(UswdsFormMixin, forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000)


class DisputeForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you disagree with our response?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
    )


class FollowUpForm(UswdsFormMixin, forms.Form):
    resolved = forms.TypedChoiceField(
        label=_("Was your complaint resolved?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled it?"),
        choices=[
            ("5", _("5 — Very satisfied")),
            ("4", _("4 — Satisfied")),
            ("3", _("3 — Neither satisfied nor dissatisfied")),
            ("2", _("2 — Dissatisfied")),
            ("1", _("1 — Very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )


# --- workspace --------------------------------------------------------------------------------------------------


class AssessForm(UswdsFormMixin, forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    new_topic = forms.CharField(
        label=_("Or a new topic"),
        required=False,
        max_length=200,
        help_text=_("Adds a topic to the agency's list."),
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = selectors.topics_of(agency)  # type: ignore[attr-defined]


class AssignForm(UswdsFormMixin, forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)
    queue = forms.CharField(label=_("Queue"), max_length=60, initial="general")
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=User.objects.none(), required=False)
    auto = forms.BooleanField(label=_("Choose the handler by the agency's assignment rule"), required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.filter(agency=agency)  # type: ignore[attr-defined]
        self.fields["handler"].queryset = selectors.handlers_of(agency)  # type: ignore[attr-defined]


class NoteForm(UswdsFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        help_text=_("Staff only. The customer never sees notes."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MessageForm(UswdsFormMixin, forms.Form):
    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        queryset=CannedReply.objects.none(),
        required=False,
        help_text=_(
            "Sent in the customer's language with the case's details filled in, when you write nothing."
        ),
    )
    body = forms.CharField(
        label=_("Message to the customer"),
        help_text=_("The customer reads this on the status page."),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    is_response = forms.BooleanField(label=_("This is our response to the complaint"), required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["canned"].queryset = CannedReply.objects.filter(agency=agency)  # type: ignore[attr-defined]
        if not self.fields["canned"].queryset.exists():  # type: ignore[attr-defined]
            del self.fields["canned"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("canned"):
            self.add_error("body", _("Write a message or choose a canned reply."))
        return data


class CannedReplyForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "body_en", "body_es"]

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency

    def _check_placeholders(self, name: str) -> str:
        text = self.cleaned_data[name]
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", text)) - set(CannedReply.PLACEHOLDERS))
        if unknown:
            raise ValidationError(
                _("%(found)s is not a placeholder; use %(known)s.")
                % {"found": ", ".join(unknown), "known": ", ".join(CannedReply.PLACEHOLDERS)}
            )
        return str(text)

    def clean_body_en(self) -> str:
        return self._check_placeholders("body_en")

    def clean_body_es(self) -> str:
        return self._check_placeholders("body_es")

    def clean_title(self) -> str:
        title = str(self.cleaned_data["title"]).strip()
        clash = CannedReply.objects.filter(agency=self.agency, title__iexact=title).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError(_("There is already a canned reply with this title."))
        return title


class TopicForm(UswdsFormMixin, forms.ModelForm):
    """A topic's names: the English one staff see, and the Spanish one Spanish public pages show."""

    class Meta:
        model = Topic
        fields = ["name", "name_es"]
        help_texts = {
            "name_es": _("Spanish public pages show it; left blank, they show the English name."),
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        clash = Topic.objects.filter(
            agency=self.agency, parent_id=self.instance.parent_id, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            parent = self.instance.parent if self.instance.parent_id else None
            if parent is None:
                raise ValidationError(_("There is already a topic with this name."))
            raise ValidationError(
                _("There is already a topic with this name under %(parent)s.") % {"parent": parent.name}
            )
        return name

    def clean_name_es(self) -> str:
        return str(self.cleaned_data["name_es"]).strip()


class MergeForm(UswdsFormMixin, forms.Form):
    into = forms.CharField(
        label=_("Tracking number of the case that goes on"),
        max_length=40,
        help_text=_(
            "This case's messages, notes and attachments move there, and this case closes as merged."
        ),
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_into(self) -> Case:
        number = self.cleaned_data["into"].strip().upper()
        found = Case.objects.filter(agency=self.agency, tracking_number=number).first()
        if found is None:
            raise ValidationError(
                _("No case of this agency has the tracking number %(number)s.") % {"number": number}
            )
        return found


class SplitForm(UswdsFormMixin, forms.Form):
    narrative = forms.CharField(
        label=_("The second problem, in the customer's words"),
        help_text=_(
            "It becomes a new case for the same customer, with its own tracking number and clocks, linked to "
            "this one. Copy the part of the message about it."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
    )


class BulkForm(UswdsFormMixin, forms.Form):
    """One action on the cases ticked in the worklist."""

    ASSIGN, STATE, TAG, MERGE, CLOSE = "assign", "state", "tag", "merge", "close"
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (ASSIGN, _("Assign to a handler")),
            (STATE, _("Set the status")),
            (TAG, _("Add a tag")),
            (MERGE, _("Merge into the case received first")),
            (CLOSE, _("Close with one outcome and response")),
        ],
    )
    cases = forms.TypedMultipleChoiceField(
        label=_("Cases"), coerce=int, choices=[], error_messages={"required": _("Tick at least one case.")}
    )
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=User.objects.none(), required=False)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", "—"),
            *[(state.value, state.label) for state in (Case.State.ACKNOWLEDGED, Case.State.IN_PROGRESS)],
        ],
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            ("", "—"),
            *[choice for choice in Case.Outcome.choices if choice[0] != Case.Outcome.MONETARY],
        ],
        help_text=_("Close cases with monetary relief one at a time: each has its own amount."),
    )
    response = forms.CharField(
        label=_("Response to the customers"),
        required=False,
        help_text=_("What we decided and why. Each customer reads this on their own case."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = selectors.handlers_of(agency)  # type: ignore[attr-defined]
        # Any case id is a valid choice here; the selector refuses (404) one that is not the agency's.
        ticked = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        self.fields["cases"].choices = [(value, value) for value in ticked if str(value).isdigit()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs = {
            self.ASSIGN: ["handler"],
            self.STATE: ["state"],
            self.TAG: ["tag"],
            self.CLOSE: ["outcome", "response"],
        }.get(data.get("action", ""), [])
        for name in needs:
            if not (str(data.get(name) or "")).strip():
                self.add_error(name, _("Fill this in for the action you chose."))
        return data


class ArticleForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "body", "title_es", "body_es", "topics", "public"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "body_es": forms.Textarea(attrs={"rows": 8}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = selectors.topics_of(agency)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool((data.get("title_es") or "").strip()) != bool((data.get("body_es") or "").strip()):
            self.add_error("body_es", _("Give both the Spanish title and the Spanish answer, or neither."))
        return data


class EmailIntakeForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = EmailIntake
        fields = [
            "imap_host",
            "imap_port",
            "imap_tls",
            "imap_username",
            "imap_password_env",
            "imap_folder",
            "imap_done_folder",
            "webhook_secret_env",
            "webhook_basic_auth_env",
            "reply_address",
        ]

    def _variable_name(self, name: str) -> str:
        value = str(self.cleaned_data[name]).strip()
        if value and not re.fullmatch(r"[A-Z_][A-Z0-9_]*", value):
            raise ValidationError(
                _("Give the name of an environment variable (capital letters, digits and _), not the secret.")
            )
        return value

    def clean_imap_password_env(self) -> str:
        return self._variable_name("imap_password_env")

    def clean_webhook_secret_env(self) -> str:
        return self._variable_name("webhook_secret_env")

    def clean_webhook_basic_auth_env(self) -> str:
        return self._variable_name("webhook_basic_auth_env")


class ArticleFeedbackForm(forms.Form):
    helped = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes"
    )


class WaitForm(UswdsFormMixin, forms.Form):
    question = forms.CharField(
        label=_("What do you need from the customer?"),
        help_text=_("The clocks stop until the customer answers or you resume the case."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CloseForm(UswdsFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Case.Outcome.choices)
    relief_amount = forms.DecimalField(
        label=_("Monetary relief (USD)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    response = forms.CharField(
        label=_("Response to the customer"),
        help_text=_("What we decided and why. The customer reads this."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Case.Outcome.MONETARY and not data.get("relief_amount"):
            self.add_error("relief_amount", _("Give the amount of monetary relief."))
        return data


class ConfirmForm(UswdsFormMixin, forms.Form):
    """An action with nothing to fill in."""


class TriageReviewForm(UswdsFormMixin, forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = selectors.topics_of(agency)  # type: ignore[attr-defined]
        self.fields["office"].queryset = Office.objects.filter(agency=agency)  # type: ignore[attr-defined]


class PolicyForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceLevelPolicy
        fields = [
            "name",
            "service",
            "channel",
            "severity",
            "counting",
            "acknowledge_hours",
            "first_response_hours",
            "resolve_hours",
            "update_hours",
        ]

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = selectors.public_services_of(agency)  # type: ignore[attr-defined]


class RuleForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["position", "name", "service", "topic", "state", "words", "office", "queue"]

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = selectors.public_services_of(agency)  # type: ignore[attr-defined]
        self.fields["topic"].queryset = selectors.topics_of(agency)  # type: ignore[attr-defined]
        self.fields["office"].queryset = Office.objects.filter(agency=agency)  # type: ignore[attr-defined]


class SettingsForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ComplaintSettings
        fields = [
            "retention_days",
            "dispute_window_days",
            "assignment",
            "warn_before_hours",
            "triage_min_confidence",
            "duplicate_window_days",
        ]


class CalendarForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = OfficeCalendar
        fields = ["opens_at", "closes_at", "working_weekdays", "closures"]

    def clean_closures(self) -> str:
        import datetime as dt

        text = self.cleaned_data["closures"]
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    dt.date.fromisoformat(line.strip())
                except ValueError as error:
                    raise ValidationError(
                        _("Line %(line)s is not a date; write each closure as YYYY-MM-DD.") % {"line": number}
                    ) from error
        return text
