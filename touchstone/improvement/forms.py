from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.models import Service
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.models import Agency, Role, User
from touchstone.improvement.models import FollowUp, FollowUpRule, ImprovementAction

DATE = forms.DateInput(attrs={"type": "date"})


def _members(agency: Agency, roles: list[str] | None = None) -> Any:
    found = User.objects.filter(memberships__agency=agency)
    if roles is not None:
        found = found.filter(memberships__role__in=roles)
    return found.order_by("last_name", "username")


class ActionForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ImprovementAction
        fields = [
            "title",
            "title_es",
            "why",
            "prompted_by",
            "standard",
            "topic",
            "board_item",
            "goal",
            "owner",
            "starts_on",
            "due_on",
            "status",
            "done_on",
            "measure_standard",
            "measure_survey",
            "published",
        ]
        widgets = {
            "why": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE,
            "due_on": DATE,
            "done_on": DATE,
        }

    def __init__(self, *args: Any, agency: Agency, service: Service, **kwargs: Any) -> None:
        from touchstone.complaints.models import Topic
        from touchstone.reports.models import ActionGoal
        from touchstone.standards.models import ServiceStandard
        from touchstone.voice.models import BoardItem

        super().__init__(*args, **kwargs)
        standards = ServiceStandard.objects.filter(agency=agency, service=service, valid_until__isnull=True)
        self.fields["standard"].queryset = standards  # type: ignore[attr-defined]
        self.fields["measure_standard"].queryset = standards  # type: ignore[attr-defined]
        self.fields["topic"].queryset = Topic.objects.filter(agency=agency).order_by("name")  # type: ignore[attr-defined]
        # Barriers and ideas by their summary only: the board's author is never shown here.
        self.fields["board_item"].queryset = BoardItem.objects.filter(  # type: ignore[attr-defined]
            agency=agency, service=service, merged_into__isnull=True
        ).order_by("summary")
        self.fields["board_item"].label_from_instance = lambda item: item.summary  # type: ignore[attr-defined]
        self.fields["goal"].queryset = ActionGoal.objects.filter(  # type: ignore[attr-defined]
            plan__agency=agency, service=service
        ).select_related("plan")
        self.fields["owner"].queryset = _members(agency)  # type: ignore[attr-defined]
        self.fields["owner"].required = True


class RuleForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = FollowUpRule
        fields = ["service", "score_at_most", "on_negative_comment", "owner", "hours_to_close", "active"]

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(agency=agency).order_by("name")  # type: ignore[attr-defined]
        self.fields["service"].empty_label = _("Every service without a rule of its own")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = _members(agency, [Role.ADMIN, Role.HANDLER])  # type: ignore[attr-defined]
        self.fields["score_at_most"].widget.attrs.update({"min": "1", "max": "4"})
        self.fields["hours_to_close"].widget.attrs.update({"min": "1", "max": "400"})


class CloseForm(UswdsFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("What came of it"), choices=FollowUp.Outcome.choices)
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the record of this follow-up; not shown to the public."),
    )
