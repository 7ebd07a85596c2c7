"""Every read of the catalog. Staff reads take the agency; public reads see only published services."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404

from touchstone.catalog.channels import Channel, is_digital
from touchstone.catalog.models import (
    ChannelVolume,
    JourneyStage,
    Provider,
    Segment,
    Service,
    ServiceChannel,
    ServiceSegment,
)
from touchstone.core.fiscal import fiscal_quarter, fiscal_year, fiscal_year_bounds
from touchstone.core.models import Agency


def services_of(agency: Agency) -> QuerySet[Service]:
    return Service.objects.filter(agency=agency).select_related("owner_office").order_by("name")


def service_of(agency: Agency, service_id: int) -> Service:
    service = services_of(agency).filter(pk=service_id).first()
    if service is None:
        raise Http404("No such service in this agency.")
    return service


def segments_of(agency: Agency) -> QuerySet[Segment]:
    return Segment.objects.filter(agency=agency).select_related("parent").order_by("name")


def segment_of(agency: Agency, segment_id: int) -> Segment:
    segment = segments_of(agency).filter(pk=segment_id).first()
    if segment is None:
        raise Http404("No such customer segment in this agency.")
    return segment


def providers_of(agency: Agency) -> QuerySet[Provider]:
    return Provider.objects.filter(agency=agency).select_related("office").order_by("name")


def provider_of(agency: Agency, provider_id: int) -> Provider:
    provider = providers_of(agency).filter(pk=provider_id).first()
    if provider is None:
        raise Http404("No such provider in this agency.")
    return provider


def service_channel_of(service: Service, channel_id: int) -> ServiceChannel:
    row = ServiceChannel.objects.filter(service=service, pk=channel_id).first()
    if row is None:
        raise Http404("No such channel for this service.")
    return row


def journey_stage_of(service: Service, stage_id: int) -> JourneyStage:
    stage = JourneyStage.objects.filter(service=service, pk=stage_id).first()
    if stage is None:
        raise Http404("No such journey stage for this service.")
    return stage


def service_segment_of(service: Service, link_id: int) -> ServiceSegment:
    link = ServiceSegment.objects.select_related("segment").filter(service=service, pk=link_id).first()
    if link is None:
        raise Http404("No such customer segment for this service.")
    return link


# --- the public directory ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    kind: str = ""
    segment_kind: str = ""
    channel: str = ""
    agency: Agency | None = None


def published_services(filters: DirectoryFilters) -> QuerySet[Service]:
    """The public directory: published services matching every word of the query and each filter."""
    services = Service.objects.filter(status=Service.Status.PUBLISHED).select_related("agency")
    if filters.agency is not None:
        services = services.filter(agency=filters.agency)
    for word in filters.query.lower().split()[:8]:
        services = services.filter(search_text__contains=word)
    if filters.kind:
        services = services.filter(kind=filters.kind)
    if filters.channel:
        services = services.filter(channels__channel=filters.channel)
    if filters.segment_kind:
        services = services.filter(
            segment_links__segment__kind=filters.segment_kind, segment_links__is_eligible=True
        )
    if filters.channel or filters.segment_kind:
        services = services.distinct()
    return services.order_by("name", "pk")


def published_service(agency_slug: str, service_slug: str) -> Service:
    service = (
        Service.objects.filter(agency__slug=agency_slug, slug=service_slug, status=Service.Status.PUBLISHED)
        .select_related("agency", "owner_office")
        .prefetch_related(
            "channels",
            "journey_stages",
            Prefetch(
                "segment_links",
                queryset=ServiceSegment.objects.select_related("segment").filter(is_eligible=True),
            ),
            Prefetch("providers", queryset=Provider.objects.select_related("office")),
        )
        .first()
    )
    if service is None:
        raise Http404("No such service.")
    return service


# --- who should be served ---------------------------------------------------------------------------------------


def coverage_gaps(agency: Agency, service: Service | None = None) -> list[ServiceSegment]:
    """Eligible population versus customers served, per service and segment, the largest gap first."""
    links = ServiceSegment.objects.filter(service__agency=agency, is_eligible=True).select_related(
        "service", "segment"
    )
    if service is not None:
        links = links.filter(service=service)
    return sorted(links, key=lambda link: (link.gap is None, -(link.gap or 0), link.service.name))


# --- channel mix ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelMixRow:
    period_start: dt.date
    label: str
    volumes: dict[str, int | None]  # channel -> volume (None: no data)
    total: int
    digital_share: float | None


@dataclass(frozen=True)
class ChannelMix:
    channels: list[tuple[str, str]]  # (code, label) of channels that appear
    rows: list[ChannelMixRow]
    totals: dict[str, int]

    @property
    def grand_total(self) -> int:
        return sum(self.totals.values())

    def share(self, channel: str) -> float | None:
        return self.totals[channel] / self.grand_total if self.grand_total else None


FINENESS = {ChannelVolume.Period.MONTH: 0, ChannelVolume.Period.QUARTER: 1, ChannelVolume.Period.YEAR: 2}


def period_bucket(day: dt.date, period: str) -> dt.date:
    """The first day of the month, fiscal quarter or fiscal year holding `day`."""
    if period == ChannelVolume.Period.QUARTER:
        return fiscal_quarter(day).start
    if period == ChannelVolume.Period.YEAR:
        return fiscal_year_bounds(fiscal_year(day))[0]
    return day.replace(day=1)


def period_label(start: dt.date, period: str) -> str:
    """'2026-01', 'FY2026 Q2', 'FY2026'; a year that is not a U.S. fiscal year (Canada's starts in April) is
    labelled by its calendar years, '2023-2024'."""
    if period == ChannelVolume.Period.QUARTER:
        return fiscal_quarter(start).label if start.month in (1, 4, 7, 10) else start.strftime("%Y-%m")
    if period == ChannelVolume.Period.YEAR:
        return f"FY{fiscal_year(start)}" if start.month == 10 else f"{start.year}-{start.year + 1}"
    return start.strftime("%Y-%m")


def channel_mix(service: Service, period: str = ChannelVolume.Period.MONTH) -> ChannelMix:
    """Volumes and shares by channel over time, and digital take-up (digital volume / all volume).

    Finer figures roll up into the chosen period (months into quarters and years); coarser ones are left out.
    A channel with no data in a period shows as None, never as zero.
    """
    by_period: dict[dt.date, dict[str, int | None]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    finer = [p for p, rank in FINENESS.items() if rank <= FINENESS[ChannelVolume.Period(period)]]
    for row in ChannelVolume.objects.filter(service=service, period__in=finer).order_by("period_start"):
        # A figure reported for exactly this kind of period keeps its own start (another country's fiscal year).
        start = row.period_start if row.period == period else period_bucket(row.period_start, period)
        bucket = by_period[start]
        if row.volume is None:
            bucket.setdefault(row.channel, None)
        else:
            bucket[row.channel] = (bucket.get(row.channel) or 0) + row.volume
            totals[row.channel] += row.volume
        totals.setdefault(row.channel, 0)
    labels = dict(Channel.choices)
    channels = sorted(totals, key=lambda code: -totals[code])
    rows = []
    for start in sorted(by_period):
        volumes = by_period[start]
        total = sum(v for v in volumes.values() if v)
        digital = sum(v for code, v in volumes.items() if v and is_digital(code))
        rows.append(
            ChannelMixRow(
                start, period_label(start, period), volumes, total, digital / total if total else None
            )
        )
    return ChannelMix([(code, str(labels.get(code, code))) for code in channels], rows, dict(totals))


def channel_totals(agency: Agency | None = None) -> dict[str, int]:
    """All reported volume by channel: for checking an import against its source file."""
    volumes = ChannelVolume.objects.filter(availability=ChannelVolume.Availability.REPORTED)
    if agency is not None:
        volumes = volumes.filter(service__agency=agency)
    return {row["channel"]: row["total"] for row in volumes.values("channel").annotate(total=Sum("volume"))}


def services_using_channel(agency: Agency, channel: str) -> QuerySet[Service]:
    return services_of(agency).filter(Q(channels__channel=channel)).distinct()
