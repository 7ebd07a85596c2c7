"""Small builders for catalog tests."""

import datetime as dt
from typing import Any

from touchstone.catalog.models import ChannelVolume, Segment, Service, ServiceChannel, ServiceSegment
from touchstone.core.models import Agency


def published_service(
    agency: Agency, name: str, channels: tuple[str, ...] = ("website",), **extra: Any
) -> Service:
    defaults = {"description": f"{name}: what it is.", "status": Service.Status.PUBLISHED, **extra}
    service = Service.objects.create(agency=agency, name=name, **defaults)
    for channel in channels:
        ServiceChannel.objects.create(service=service, channel=channel, how_to_use=f"{channel} details")
    return service


def monthly_volumes(
    service: Service, rows: dict[str, list[int | None]], first: dt.date = dt.date(2025, 10, 1)
) -> None:
    for channel, values in rows.items():
        month = first
        for value in values:
            ChannelVolume.objects.create(
                service=service,
                channel=channel,
                period_start=month,
                volume=value,
                availability="reported" if value is not None else "no_data",
            )
            month = (month + dt.timedelta(days=32)).replace(day=1)


def link(
    service: Service, segment_name: str, eligible: int | None, served: int | None, kind: str = "individuals"
) -> ServiceSegment:
    segment, _ = Segment.objects.get_or_create(
        agency=service.agency, name=segment_name, defaults={"kind": kind}
    )
    return ServiceSegment.objects.create(
        service=service, segment=segment, eligible_population=eligible, customers_served=served
    )
