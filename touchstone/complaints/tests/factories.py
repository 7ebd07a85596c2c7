"""Small helpers the complaint tests share: a policy, a case filed the real way."""

from typing import Any

from touchstone.complaints import services
from touchstone.complaints.models import Case, ServiceLevelPolicy
from touchstone.conftest import Personas


def standard_policy(personas: Personas, **overrides: Any) -> ServiceLevelPolicy:
    values = {
        "name": "Standard",
        "counting": "calendar",
        "acknowledge_hours": 8,
        "first_response_hours": 40,
        "resolve_hours": 240,
        "update_hours": None,
    } | overrides
    return ServiceLevelPolicy.objects.create(agency=personas.agency_a, **values)


def file_case(personas: Personas, narrative: str = "My payment is late again.", **data: Any) -> Case:
    values = {
        "narrative": narrative,
        "contact_email": "pat@example.com",
        "channel": "website",
    } | data
    return services.file_complaint(agency=data.pop("agency", personas.agency_a), data=values)
