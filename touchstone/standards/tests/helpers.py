"""Small builders shared by the standards tests."""

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from touchstone.catalog.models import Service
from touchstone.core.models import Agency, User
from touchstone.standards import services, store
from touchstone.standards.models import ServiceStandard

HEADER = ["external_id", "service", "channel", "started_at", "ended_at", "outcome", "office", "segment"]


def make_service(agency: Agency, slug: str = "refunds") -> Service:
    return Service.objects.create(agency=agency, name=slug.title(), slug=slug, description="A service.")


def make_standard(
    agency: Agency, service: Service, owner: User | None = None, **overrides: Any
) -> ServiceStandard:
    data: dict[str, Any] = {
        "service": service,
        "channel": "",
        "statement": "We refund within 5 business days, 80% of the time.",
        "standard_type": "timeliness",
        "measure": "business_days",
        "threshold": 5.0,
        "target": 0.8,
        "period": "month",
        "valid_from": dt.date(2024, 1, 1),
        "owner": owner,
        **overrides,
    }
    return services.define_standard(actor=None, agency=agency, data=data)


def write_transactions(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def held(agency: Agency, external_id: str) -> dict[str, Any]:
    """The transaction the store holds under this id (ids in tests are plain letters and digits)."""
    assert external_id.replace("-", "").isalnum()
    rows = store.read(agency, where=f"t.external_id = '{external_id}'")
    assert len(rows) == 1, rows
    return rows[0]
