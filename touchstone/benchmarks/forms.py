from django import forms
from django.utils.translation import gettext_lazy as _

from touchstone.benchmarks.models import Measure, Scale, Sector
from touchstone.catalog.models import Service
from touchstone.core.forms import UswdsFormMixin


class OwnBenchmarkForm(UswdsFormMixin, forms.Form):
    label = forms.CharField(label=_("Name"), max_length=300)
    organisation = forms.CharField(label=_("Organisation that published it"), max_length=200)
    publication = forms.CharField(label=_("Publication"), max_length=300)
    source_year = forms.IntegerField(label=_("Year published"), min_value=1900, max_value=2100)
    url = forms.URLField(label=_("Web address"), required=False, max_length=500)
    licence = forms.CharField(label=_("Licence or terms of use"), max_length=200)
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    scale = forms.ChoiceField(label=_("Scale"), choices=Scale.choices)
    value = forms.FloatField(label=_("Value"))
    standard_error = forms.FloatField(
        label=_("Standard error"),
        required=False,
        min_value=0,
        help_text=_("On the same scale, if published."),
    )
    sample_size = forms.IntegerField(label=_("Sample size"), required=False, min_value=1)
    population = forms.CharField(
        label=_("Population"), max_length=300, help_text=_("Whose service was measured.")
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    service_kind = forms.CharField(label=_("Kind of service"), max_length=100, required=False)
    year = forms.IntegerField(label=_("Year measured"), min_value=1900, max_value=2100)

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean() or {}
        if data.get("scale") == Scale.SHARE and data.get("value") is not None and not 0 <= data["value"] <= 1:
            self.add_error("value", _("A share is between 0 and 1: write 0.82, not 82."))
        return data


class ChooseForm(UswdsFormMixin, forms.Form):
    service = forms.ModelChoiceField(
        label=_("Comparable to"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("Every service"),
    )
    show_publicly = forms.BooleanField(label=_("Show beside the service's public standards"), required=False)

    def __init__(self, *args, agency, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(agency=agency).order_by("name")  # type: ignore[attr-defined]
