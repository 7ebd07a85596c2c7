"""Workspace pages of the catalog: services, their customers, channels, providers and volumes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from touchstone.catalog import selectors, services
from touchstone.catalog.channels import Channel
from touchstone.catalog.charts import channel_mix_chart, digital_take_up_chart
from touchstone.catalog.forms import (
    ChannelVolumeForm,
    JourneyStageForm,
    ProviderForm,
    SegmentForm,
    ServiceChannelForm,
    ServiceForm,
    ServiceSegmentForm,
)
from touchstone.catalog.models import ChannelVolume, Service
from touchstone.catalog.outcomes import channel_measures
from touchstone.core.access import AgencyRequest, member_view
from touchstone.core.pages import form_page, render_workspace

EDIT = "edit_catalog"


def _service_url(service: Service) -> str:
    return reverse("manage:catalog:service", args=[service.agency.slug, service.pk])


@member_view()
def service_list(request: AgencyRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    services_qs = selectors.services_of(request.agency).prefetch_related("channels")
    if status in Service.Status.values:
        services_qs = services_qs.filter(status=status)
    return render_workspace(
        request,
        "manage/catalog/services.html",
        {
            "services": services_qs,
            "status": status,
            "statuses": Service.Status.choices,
            "can_edit": request.membership.can(EDIT),
        },
    )


@member_view(EDIT)
def service_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        ServiceForm(request.POST or None, agency=agency),
        lambda data: services.save_service(actor=request.user, agency=agency, data=data),
        title=_("Add a service"),
        success=_("Service added as a draft. Add its channels, then publish it."),
        then=_service_url,
    )


@member_view(EDIT)
def service_edit(request: AgencyRequest, service_id: int) -> HttpResponse:
    agency = request.agency
    service = selectors.service_of(agency, service_id)
    return form_page(
        request,
        ServiceForm(request.POST or None, instance=service, agency=agency),
        lambda data: services.save_service(actor=request.user, agency=agency, data=data, service=service),
        title=_("Edit %(name)s") % {"name": service.display_name},
        success=_("Service saved."),
        then=_service_url,
    )


@member_view()
def service_detail(request: AgencyRequest, service_id: int) -> HttpResponse:
    """One page per service: who its customers are, who is missing, how they reach us, how that is shifting."""
    service = selectors.service_of(request.agency, service_id)
    period = request.GET.get("period", ChannelVolume.Period.MONTH)
    if period not in ChannelVolume.Period.values:
        period = ChannelVolume.Period.MONTH
    mix = selectors.channel_mix(service, period)
    measures = channel_measures(service)
    labels = dict(Channel.choices)
    codes = [row.channel for row in service.channels.all()]
    codes += [code for code, _label in mix.channels if code not in codes]
    channel_rows = [
        (
            labels.get(code, code),
            mix.share(code) if code in mix.totals else None,
            [measure.for_channel(code) for measure in measures],
        )
        for code in codes
    ]
    return render_workspace(
        request,
        "manage/catalog/service.html",
        {
            "measures": measures,
            "channel_rows": channel_rows,
            "service": service,
            "channels": service.channels.all(),
            "stages": service.journey_stages.all(),
            "links": selectors.coverage_gaps(request.agency, service),
            "providers": service.providers.select_related("office"),
            "mix": mix,
            "period": period,
            "periods": ChannelVolume.Period.choices,
            "mix_chart": channel_mix_chart(service, mix),
            "take_up_chart": digital_take_up_chart(service, mix),
            "can_edit": request.membership.can(EDIT),
            "statuses": Service.Status.choices,
        },
    )


@member_view(EDIT)
@require_POST
def service_status(request: AgencyRequest, service_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    status = request.POST.get("status", "")
    if status not in Service.Status.values:
        messages.error(request, _("Choose draft, published or retired."))
    else:
        try:
            services.change_service_status(actor=request.user, service=service, status=status)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The service is now %(status)s.") % {"status": service.get_status_display()}
            )
    return redirect(_service_url(service))


@member_view(EDIT)
def channel_new(request: AgencyRequest, service_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    return form_page(
        request,
        ServiceChannelForm(request.POST or None, service=service),
        lambda data: services.save_service_channel(actor=request.user, service=service, data=data),
        title=_("Add a way to get %(name)s") % {"name": service.display_name},
        success=_("Channel added."),
        then=_service_url(service),
    )


@member_view(EDIT)
def channel_edit(request: AgencyRequest, service_id: int, channel_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    row = selectors.service_channel_of(service, channel_id)
    return form_page(
        request,
        ServiceChannelForm(request.POST or None, instance=row, service=service),
        lambda data: services.save_service_channel(actor=request.user, service=service, data=data, row=row),
        title=_("Edit channel"),
        success=_("Channel saved."),
        then=_service_url(service),
    )


@member_view(EDIT)
@require_POST
def channel_remove(request: AgencyRequest, service_id: int, channel_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    services.remove_service_channel(actor=request.user, row=selectors.service_channel_of(service, channel_id))
    messages.success(request, _("Channel removed."))
    return redirect(_service_url(service))


@member_view(EDIT)
def stage_new(request: AgencyRequest, service_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    return form_page(
        request,
        JourneyStageForm(request.POST or None, initial={"position": service.journey_stages.count() + 1}),
        lambda data: services.save_journey_stage(actor=request.user, service=service, data=data),
        title=_("Add a journey stage"),
        success=_("Stage added."),
        then=_service_url(service),
    )


@member_view(EDIT)
def stage_edit(request: AgencyRequest, service_id: int, stage_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    stage = selectors.journey_stage_of(service, stage_id)
    return form_page(
        request,
        JourneyStageForm(request.POST or None, instance=stage),
        lambda data: services.save_journey_stage(actor=request.user, service=service, data=data, stage=stage),
        title=_("Edit journey stage"),
        success=_("Stage saved."),
        then=_service_url(service),
    )


@member_view(EDIT)
@require_POST
def stage_remove(request: AgencyRequest, service_id: int, stage_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    services.delete_journey_stage(actor=request.user, stage=selectors.journey_stage_of(service, stage_id))
    messages.success(request, _("Stage removed."))
    return redirect(_service_url(service))


@member_view(EDIT)
def segment_link_new(request: AgencyRequest, service_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    return form_page(
        request,
        ServiceSegmentForm(request.POST or None, service=service),
        lambda data: services.link_segment(
            actor=request.user, service=service, segment=data.pop("segment"), data=data
        ),
        title=_("Add a customer segment to %(name)s") % {"name": service.display_name},
        success=_("Segment added."),
        then=_service_url(service),
    )


@member_view(EDIT)
def segment_link_edit(request: AgencyRequest, service_id: int, link_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    link = selectors.service_segment_of(service, link_id)
    return form_page(
        request,
        ServiceSegmentForm(request.POST or None, instance=link, service=service),
        lambda data: services.link_segment(
            actor=request.user, service=service, segment=data.pop("segment"), data=data
        ),
        title=_("Customers of %(name)s") % {"name": service.display_name},
        success=_("Segment saved."),
        then=_service_url(service),
    )


@member_view(EDIT)
@require_POST
def segment_link_remove(request: AgencyRequest, service_id: int, link_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    services.unlink_segment(actor=request.user, link=selectors.service_segment_of(service, link_id))
    messages.success(request, _("Segment removed from this service."))
    return redirect(_service_url(service))


@member_view(EDIT)
def volume_new(request: AgencyRequest, service_id: int) -> HttpResponse:
    service = selectors.service_of(request.agency, service_id)
    return form_page(
        request,
        ChannelVolumeForm(
            request.POST or None,
            service=service,
            initial={"availability": ChannelVolume.Availability.REPORTED},
        ),
        lambda data: services.record_channel_volumes(actor=request.user, service=service, rows=[data]),
        title=_("Record a channel volume for %(name)s") % {"name": service.display_name},
        success=_("Volume recorded."),
        then=_service_url(service),
    )


@member_view()
def segment_list(request: AgencyRequest) -> HttpResponse:
    return render_workspace(
        request,
        "manage/catalog/segments.html",
        {
            "segments": selectors.segments_of(request.agency).prefetch_related("service_links__service"),
            "gaps": [link for link in selectors.coverage_gaps(request.agency) if link.gap][:15],
            "can_edit": request.membership.can(EDIT),
        },
    )


@member_view(EDIT)
def segment_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        SegmentForm(request.POST or None, agency=agency),
        lambda data: services.save_segment(actor=request.user, agency=agency, data=data),
        title=_("Add a customer segment"),
        success=_("Segment added."),
        then=reverse("manage:catalog:segments", args=[agency.slug]),
    )


@member_view(EDIT)
def segment_edit(request: AgencyRequest, segment_id: int) -> HttpResponse:
    agency = request.agency
    segment = selectors.segment_of(agency, segment_id)
    return form_page(
        request,
        SegmentForm(request.POST or None, instance=segment, agency=agency),
        lambda data: services.save_segment(actor=request.user, agency=agency, data=data, segment=segment),
        title=_("Edit segment"),
        success=_("Segment saved."),
        then=reverse("manage:catalog:segments", args=[agency.slug]),
    )


@member_view()
def gaps(request: AgencyRequest) -> HttpResponse:
    """Who should be served: eligible people versus customers served, the largest gap first (EO §1(a))."""
    return render_workspace(
        request, "manage/catalog/gaps.html", {"links": selectors.coverage_gaps(request.agency)}
    )


@member_view()
def provider_list(request: AgencyRequest) -> HttpResponse:
    return render_workspace(
        request,
        "manage/catalog/providers.html",
        {
            "providers": selectors.providers_of(request.agency).prefetch_related("services"),
            "can_edit": request.membership.can(EDIT),
        },
    )


def _save_provider(request: AgencyRequest, provider: object = None):  # type: ignore[no-untyped-def]
    def save(data: dict) -> object:
        chosen = list(data.pop("services", []))
        return services.save_provider(
            actor=request.user,
            agency=request.agency,
            data=data,
            provider=provider,  # type: ignore[arg-type]
            services=chosen,
        )

    return save


@member_view(EDIT)
def provider_new(request: AgencyRequest) -> HttpResponse:
    agency = request.agency
    return form_page(
        request,
        ProviderForm(request.POST or None, agency=agency),
        _save_provider(request),
        title=_("Add a source of service"),
        success=_("Provider added."),
        then=reverse("manage:catalog:providers", args=[agency.slug]),
    )


@member_view(EDIT)
def provider_edit(request: AgencyRequest, provider_id: int) -> HttpResponse:
    agency = request.agency
    provider = selectors.provider_of(agency, provider_id)
    return form_page(
        request,
        ProviderForm(request.POST or None, instance=provider, agency=agency),
        _save_provider(request, provider),
        title=_("Edit provider"),
        success=_("Provider saved."),
        then=reverse("manage:catalog:providers", args=[agency.slug]),
    )
