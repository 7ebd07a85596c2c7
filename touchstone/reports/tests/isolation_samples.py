"""Objects of agency A for the isolation test (touchstone/core/tests/test_isolation.py)."""

from typing import Any

from touchstone.conftest import Personas
from touchstone.reports import services
from touchstone.reports.tests.helpers import hisp


def samples(personas: Personas) -> dict[str, Any]:
    agency = personas.agency_a
    collection = services.save_collection(
        actor=None,
        agency=agency,
        data={
            "service": hisp(agency, "Isolation sample service"),
            "channel": "website",
            "transaction_point": "post_interaction",
            "fiscal_year": 2026,
            "quarter": 1,
        },
    )
    delivery = services.schedule_delivery(
        actor=None, agency=agency, kind="a11_collections", every_days=7, recipients=[personas.admin_a]
    )
    return {
        "report_id": services.start_report(actor=None, agency=agency, period="FY2026").pk,
        "plan_id": services.start_plan(actor=None, agency=agency, fiscal_year=2027).pk,
        "section": "training",
        "collection_id": collection.pk,
        "action_plan_id": services.start_action_plan(actor=None, agency=agency, fiscal_year=2027).pk,
        "delivery_id": delivery.pk,
    }
