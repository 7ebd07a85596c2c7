"""Forms of reports and plans: they only validate; services write."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.models import Service
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.models import Agency, User
from touchstone.reports.models import PLAIN_LANGUAGE_CHECKS, A11Collection, ActionGoal, ScheduledDelivery
from touchstone.surveys.models import Survey


class ReportStartForm(UswdsFormMixin, forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=12,
        help_text=_("A fiscal year (FY2026) or a fiscal quarter (FY2026 Q1)."),
    )


class ReportTextForm(UswdsFormMixin, forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    summary_es = forms.CharField(
        label=_("Summary in Spanish"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    changes = forms.CharField(
        label=_("What changed and why"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    changes_es = forms.CharField(
        label=_("What changed and why, in Spanish"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    actions = forms.CharField(
        label=_("What we will do"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    actions_es = forms.CharField(
        label=_("What we will do, in Spanish"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class YearForm(UswdsFormMixin, forms.Form):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)


class PlanSectionForm(UswdsFormMixin, forms.Form):
    english = forms.CharField(
        label=_("Text in English"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    spanish = forms.CharField(
        label=_("Text in Spanish"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    checks = forms.MultipleChoiceField(
        label=_("Plain-language checklist"),
        choices=list(PLAIN_LANGUAGE_CHECKS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class CollectionForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = A11Collection
        fields = [
            "service",
            "channel",
            "transaction_point",
            "fiscal_year",
            "quarter",
            "survey",
            "volume_of_customers",
            "volume_offered",
            "volume_of_respondents",
            "omb_control_number",
            "federal_register_url",
        ]
        labels = {"service": _("Service"), "survey": _("Survey")}

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        high_impact = Service.objects.filter(agency=agency, is_high_impact=True).order_by("name")
        self.fields["service"].queryset = high_impact  # type: ignore[attr-defined]
        self.fields["survey"].queryset = Survey.objects.filter(  # type: ignore[attr-defined]
            agency=agency, audience=Survey.Audience.CUSTOMERS
        ).order_by("title")


class UploadForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Per-respondent file (CSV)"),
        help_text=_(
            "One row per respondent with the A-11 upload columns, in any order, as Touchpoints takes them: 0, 1 or "
            "null (an empty cell is null). A file with any bad line changes nothing."
        ),
    )


class ReviewForm(UswdsFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note to the submitter"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CapacityForm(UswdsFormMixin, forms.Form):
    capacity_assessment = forms.CharField(
        label=_("Capacity assessment"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class GoalForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ActionGoal
        fields = ["service", "goal", "measure", "owner", "due_date"]
        labels = {"service": _("Service")}
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        high_impact = Service.objects.filter(agency=agency, is_high_impact=True).order_by("name")
        self.fields["service"].queryset = high_impact  # type: ignore[attr-defined]


class DeliveryForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ScheduledDelivery
        fields = ["kind", "every_days", "recipients"]
        widgets = {"recipients": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__agency=agency).order_by("last_name", "username")
        self.fields["recipients"].queryset = members  # type: ignore[attr-defined]
        self.fields["every_days"].widget.attrs.update({"min": "1", "max": "365"})
