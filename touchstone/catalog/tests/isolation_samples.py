"""Objects of agency A for every id the catalog's workspace URLs take (see core/tests/test_isolation.py)."""

from typing import Any

from touchstone.catalog.models import JourneyStage, Provider, Segment, Service, ServiceChannel, ServiceSegment


def samples(personas: Any) -> dict[str, Any]:
    service = Service.objects.create(agency=personas.agency_a, name="Alpha permits", description="Permits.")
    segment = Segment.objects.create(agency=personas.agency_a, name="Alpha farmers")
    return {
        "service_id": service.pk,
        "channel_id": ServiceChannel.objects.create(service=service, channel="phone").pk,
        "stage_id": JourneyStage.objects.create(service=service, name="Apply").pk,
        "link_id": ServiceSegment.objects.create(service=service, segment=segment).pk,
        "segment_id": segment.pk,
        "provider_id": Provider.objects.create(agency=personas.agency_a, name="Alpha partner").pk,
    }
