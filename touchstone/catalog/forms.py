"""Catalog forms: they validate and nothing more; services write."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from touchstone.catalog.models import (
    ChannelVolume,
    JourneyStage,
    Provider,
    Segment,
    Service,
    ServiceChannel,
    ServiceSegment,
)
from touchstone.core.forms import UswdsFormMixin
from touchstone.core.models import Agency, Office


class ServiceForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "name",
            "name_es",
            "description",
            "description_es",
            "kind",
            "eligibility",
            "eligibility_es",
            "fees",
            "fees_es",
            "is_high_impact",
            "owner_office",
            "estimated_annual_volume",
            "website",
            "how_to_complain",
            "how_to_complain_es",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "description_es": forms.Textarea(attrs={"rows": 4}),
            "eligibility_es": forms.Textarea(attrs={"rows": 3}),
            "how_to_complain": forms.Textarea(attrs={"rows": 3}),
            "how_to_complain_es": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "description": _("What a person gets, in words they use. Aim for short sentences."),
            "eligibility": _("Who can get it, for example “U.S. residents aged 62 or older”."),
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["owner_office"].queryset = Office.objects.filter(agency=agency)  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Service.objects.filter(agency=self.agency, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("This agency already has a service called “%(name)s”."), params={"name": name}
            )
        return name


class ServiceChannelForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceChannel
        fields = [
            "channel",
            "how_to_use",
            "hours",
            "languages",
            "accessibility",
            "how_to_use_es",
            "hours_es",
            "languages_es",
            "accessibility_es",
        ]
        widgets = {
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "accessibility_es": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service

    def clean_channel(self) -> str:
        channel = self.cleaned_data["channel"]
        clash = ServiceChannel.objects.filter(service=self.service, channel=channel).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(_("This service already lists that channel; edit it instead."))
        return channel


class JourneyStageForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = JourneyStage
        fields = ["name", "kind", "position", "barriers"]
        widgets = {"barriers": forms.Textarea(attrs={"rows": 4})}


class SegmentForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Segment
        fields = [
            "name",
            "name_es",
            "kind",
            "parent",
            "description",
            "description_es",
            "estimated_population",
            "personas",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_es": forms.Textarea(attrs={"rows": 3}),
            "personas": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        parents = Segment.objects.filter(agency=agency)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if (
            Segment.objects.filter(agency=self.agency, name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(
                _("This agency already has a segment called “%(name)s”."), params={"name": name}
            )
        return name


class ServiceSegmentForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceSegment
        fields = ["segment", "is_eligible", "eligible_population", "customers_served"]
        labels = {"segment": _("Segment")}

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["segment"].queryset = Segment.objects.filter(agency=service.agency)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        eligible, served = cleaned.get("eligible_population"), cleaned.get("customers_served")
        if eligible is not None and served is not None and served > eligible:
            self.add_error(
                "customers_served", _("More customers served than eligible people: check both numbers.")
            )
        return cleaned


class ProviderForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Provider
        fields = [
            "name",
            "kind",
            "office",
            "address",
            "hours",
            "contact",
            "languages",
            "accessibility",
            "hours_es",
            "languages_es",
            "accessibility_es",
            "services",
        ]
        widgets = {
            "services": forms.CheckboxSelectMultiple,
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "accessibility_es": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["office"].queryset = Office.objects.filter(agency=agency)  # type: ignore[attr-defined]
        self.fields["services"].queryset = Service.objects.filter(agency=agency)  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if (
            Provider.objects.filter(agency=self.agency, name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(
                _("This agency already has a provider called “%(name)s”."), params={"name": name}
            )
        return name


class ChannelVolumeForm(UswdsFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"))
    period = forms.ChoiceField(label=_("Period"), choices=ChannelVolume.Period.choices)
    period_start = forms.DateField(
        label=_("First day of the period"),
        help_text=_("For example 2026-01-01."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    availability = forms.ChoiceField(label=_("Figure"), choices=ChannelVolume.Availability.choices)
    volume = forms.IntegerField(
        label=_("Volume"),
        min_value=0,
        required=False,
        help_text=_("Leave empty when there is no data or the channel does not apply."),
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [(row.channel, row.get_channel_display()) for row in service.channels.all()]
        self.fields["channel"].choices = offered  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: dt.date | None = cleaned.get("period_start")
        period = cleaned.get("period")
        if start and start.day != 1:
            self.add_error("period_start", _("A period starts on the first day of a month."))
        if start and period == ChannelVolume.Period.QUARTER and start.month not in (1, 4, 7, 10):
            self.add_error("period_start", _("A fiscal quarter starts on October, January, April or July 1."))
        if start and period == ChannelVolume.Period.YEAR and start.month != 10:
            self.add_error("period_start", _("A federal fiscal year starts on October 1."))
        availability, volume = cleaned.get("availability"), cleaned.get("volume")
        if availability == ChannelVolume.Availability.REPORTED and volume is None:
            self.add_error("volume", _("Give the volume, or choose “No data” or “Not applicable”."))
        if availability != ChannelVolume.Availability.REPORTED and volume is not None:
            self.add_error(
                "volume", _("Leave the volume empty when there is no data or the channel does not apply.")
            )
        return cleaned


class DirectoryForm(forms.Form):
    q = forms.CharField(label=_("Search services"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of service"), required=False, choices=[("", _("Any kind"))] + list(Service.Kind.choices)
    )
    segment = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Anyone"))] + list(Segment.Kind.choices)
    )
    channel = forms.ChoiceField(label=_("Way to get it"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from touchstone.catalog.channels import Channel

        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("Any way"))] + list(Channel.choices)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "usa-select" if isinstance(field, forms.ChoiceField) else "usa-input"
            )
