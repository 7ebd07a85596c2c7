"""Objects of agency A for the isolation test (touchstone/core/tests/test_isolation.py)."""

from typing import Any

from touchstone.conftest import Personas
from touchstone.reports import services
from touchstone.reports.models import QuotedComment
from touchstone.reports.tests.helpers import hisp
from touchstone.surveys.tests.factories import published_survey


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
    report = services.start_report(actor=None, agency=agency, period="FY2026")
    quote = QuotedComment.objects.create(
        report=report,
        survey=published_survey(agency, title="Isolation sample survey"),
        theme="wait",
        fingerprint="isolation",
        text="The wait was long.",
        decision=QuotedComment.Decision.QUOTED,
    )
    return {
        "report_id": report.pk,
        "quote_id": quote.pk,
        "plan_id": services.start_plan(actor=None, agency=agency, fiscal_year=2027).pk,
        "section": "training",
        "collection_id": collection.pk,
        "action_plan_id": services.start_action_plan(actor=None, agency=agency, fiscal_year=2027).pk,
        "delivery_id": delivery.pk,
    }
