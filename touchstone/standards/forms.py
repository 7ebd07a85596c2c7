"""Forms of the standards workspace: they only validate; services write."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.models import Service
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.models import Agency, User
from touchstone.standards.models import ServiceStandard
from touchstone.standards.services import STANDARD_FIELDS


class StandardForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceStandard
        fields = STANDARD_FIELDS
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "statement_es": forms.Textarea(attrs={"rows": 3}),
            "valid_from": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(agency=agency).order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = User.objects.filter(memberships__agency=agency).order_by(  # type: ignore[attr-defined]
            "last_name", "username"
        )
        self.fields["target"].required = True
        self.fields["target"].widget.attrs.update({"min": "0", "max": "1", "step": "0.01"})
        if self.instance.pk:
            self.fields["valid_from"].help_text = _(
                "Changing a standard makes a new version from this date; the periods before keep the old one."
            )
            self.initial["valid_from"] = None

    def clean_target(self) -> float:
        target = self.cleaned_data["target"]
        if target is None or not 0 <= target <= 1:
            raise forms.ValidationError(
                _("Give the target as a share between 0 and 1, for example 0.9 for 90%.")
            )
        return float(target)
