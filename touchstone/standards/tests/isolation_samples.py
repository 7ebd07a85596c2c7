"""A standard of agency A, so the isolation test can open every standards URL as someone else."""

import datetime as dt
from typing import Any

from touchstone.catalog.models import Service
from touchstone.standards.models import ServiceStandard


def samples(personas: Any) -> dict[str, Any]:
    service = Service.objects.create(
        agency=personas.agency_a, name="Isolation sample service", slug="isolation-sample", description="x"
    )
    standard = ServiceStandard.objects.create(
        agency=personas.agency_a,
        service=service,
        statement="We answer within 2 days.",
        measure="calendar_days",
        threshold=2,
        target=0.9,
        valid_from=dt.date(2024, 1, 1),
    )
    return {"standard_id": standard.pk}
