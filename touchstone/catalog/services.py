"""Every write to the catalog: atomic, validated, audited."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from touchstone.catalog.models import (
    ChannelVolume,
    JourneyStage,
    Provider,
    Segment,
    Service,
    ServiceChannel,
    ServiceSegment,
)
from touchstone.core import audit
from touchstone.core.models import Agency, User


@transaction.atomic
def save_service(
    *,
    actor: User | None,
    agency: Agency,
    data: dict[str, Any],
    service: Service | None = None,
    actor_label: str = "",
) -> Service:
    service = service or Service(agency=agency)
    if service.agency_id != agency.pk:
        raise ValidationError("A service belongs to one agency.")
    if data.get("owner_office") is not None and data["owner_office"].agency_id != agency.pk:
        raise ValidationError({"owner_office": "Choose one of this agency's offices."})
    audit.save_with_audit(service, data, actor=actor, agency=agency, actor_label=actor_label)
    return service


@transaction.atomic
def change_service_status(
    *, actor: User | None, service: Service, status: str, actor_label: str = ""
) -> Service:
    """Publish, retire or return a service to draft. A published service needs a description and a channel."""
    if status == Service.Status.PUBLISHED and not service.channels.exists():
        raise ValidationError(
            "Add at least one way to get this service (a channel) before publishing it: the public page lists them."
        )
    audit.save_with_audit(
        service, {"status": status}, actor=actor, agency=service.agency, actor_label=actor_label
    )
    return service


@transaction.atomic
def save_journey_stage(
    *, actor: User | None, service: Service, data: dict[str, Any], stage: JourneyStage | None = None
) -> JourneyStage:
    stage = stage or JourneyStage(service=service)
    audit.save_with_audit(stage, data, actor=actor, agency=service.agency)
    return stage


@transaction.atomic
def delete_journey_stage(*, actor: User | None, stage: JourneyStage) -> None:
    audit.record(actor=actor, action="deleted", target=stage, agency=stage.service.agency)
    stage.delete()


@transaction.atomic
def save_segment(
    *,
    actor: User | None,
    agency: Agency,
    data: dict[str, Any],
    segment: Segment | None = None,
    actor_label: str = "",
) -> Segment:
    segment = segment or Segment(agency=agency)
    parent = data.get("parent")
    if parent is not None and (parent.agency_id != agency.pk or parent.pk == segment.pk):
        raise ValidationError({"parent": "Choose another of this agency's segments."})
    audit.save_with_audit(segment, data, actor=actor, agency=agency, actor_label=actor_label)
    return segment


@transaction.atomic
def link_segment(
    *, actor: User | None, service: Service, segment: Segment, data: dict[str, Any], actor_label: str = ""
) -> ServiceSegment:
    if segment.agency_id != service.agency_id:
        raise ValidationError({"segment": "Choose one of this agency's customer segments."})
    link = ServiceSegment.objects.filter(service=service, segment=segment).first() or ServiceSegment(
        service=service, segment=segment
    )
    audit.save_with_audit(link, data, actor=actor, agency=service.agency, actor_label=actor_label)
    return link


@transaction.atomic
def unlink_segment(*, actor: User | None, link: ServiceSegment) -> None:
    audit.record(actor=actor, action="deleted", target=link, agency=link.service.agency)
    link.delete()


@transaction.atomic
def save_service_channel(
    *,
    actor: User | None,
    service: Service,
    data: dict[str, Any],
    row: ServiceChannel | None = None,
    actor_label: str = "",
) -> ServiceChannel:
    row = row or ServiceChannel(service=service)
    audit.save_with_audit(row, data, actor=actor, agency=service.agency, actor_label=actor_label)
    return row


@transaction.atomic
def remove_service_channel(*, actor: User | None, row: ServiceChannel) -> None:
    audit.record(actor=actor, action="deleted", target=row, agency=row.service.agency)
    row.delete()


@transaction.atomic
def save_provider(
    *,
    actor: User | None,
    agency: Agency,
    data: dict[str, Any],
    provider: Provider | None = None,
    services: list[Service] | None = None,
    actor_label: str = "",
) -> Provider:
    provider = provider or Provider(agency=agency)
    office = data.get("office")
    if office is not None and office.agency_id != agency.pk:
        raise ValidationError({"office": "Choose one of this agency's offices."})
    audit.save_with_audit(provider, data, actor=actor, agency=agency, actor_label=actor_label)
    if services is not None:
        if any(service.agency_id != agency.pk for service in services):
            raise ValidationError({"services": "Choose this agency's services."})
        provider.services.set(services)
    return provider


@transaction.atomic
def record_channel_volumes(
    *,
    actor: User | None,
    service: Service,
    rows: list[dict[str, Any]],
    source: str = "manual",
    actor_label: str = "",
) -> int:
    """Insert or replace volumes by (channel, period, period start); returns how many rows were written."""
    written = 0
    for row in rows:
        period_start: dt.date = row["period_start"]
        volume = row.get("volume")
        availability = row.get("availability") or ChannelVolume.Availability.REPORTED
        if availability == ChannelVolume.Availability.REPORTED and volume is None:
            raise ValidationError(
                {"volume": "Give a volume, or mark the period as no data or not applicable."}
            )
        ChannelVolume.objects.update_or_create(
            service=service,
            channel=row["channel"],
            period=row.get("period", ChannelVolume.Period.MONTH),
            period_start=period_start,
            defaults={
                "volume": volume if availability == ChannelVolume.Availability.REPORTED else None,
                "availability": availability,
                "source": source,
            },
        )
        written += 1
    audit.record(
        actor=actor,
        actor_label=actor_label,
        action="recorded channel volumes",
        target=service,
        agency=service.agency,
        changes={"rows": [None, written], "source": [None, source]},
    )
    return written
