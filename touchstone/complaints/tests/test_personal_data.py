"""Narratives and contact details: handlers and admins only, never in the audit log, gone after retention."""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from touchstone.complaints import services
from touchstone.complaints.models import Case, ComplaintSettings
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry

SECRET = "my neighbour Jo Bloggs at 12 Elm Street"


def test_narratives_and_contact_details_are_absent_from_the_audit_log(personas: Personas) -> None:
    case = file_case(personas, SECRET, contact_phone="555-0199", remedy_wanted="Call Jo")
    services.add_note(actor=personas.handler_a, case=case, body=f"Spoke to {SECRET}")
    services.send_message(actor=personas.handler_a, case=case, body=f"About {SECRET}")
    services.close_case(actor=personas.handler_a, case=case, outcome="closed", response=f"Re {SECRET}")
    services.anonymise_case(case)
    logged = " ".join(str(entry.changes) + entry.object_repr for entry in AuditEntry.objects.all())
    assert AuditEntry.objects.filter(object_type="case").count() >= 5
    for private in ["Jo Bloggs", "555-0199", "pat@example.com", "Call Jo"]:
        assert private not in logged


def test_only_handlers_and_admins_see_what_the_customer_wrote(personas: Personas) -> None:
    case = file_case(personas, SECRET)
    url = f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/"
    assert SECRET in personas.client(personas.handler_a).get(url).content.decode()
    assert SECRET in personas.client(personas.admin_a).get(url).content.decode()
    for reader in [personas.viewer_a, personas.analyst_a, personas.frontline_a]:
        page = personas.client(reader).get(url)
        assert page.status_code == 200
        assert SECRET not in page.content.decode() and "pat@example.com" not in page.content.decode()
    assert (
        personas.client(personas.viewer_a)
        .post(f"{url}close/", {"outcome": "closed", "response": "x"})
        .status_code
        == 403
    )


def test_closed_cases_past_the_agencys_retention_period_are_anonymised(personas: Personas) -> None:
    ComplaintSettings.objects.create(agency=personas.agency_a, retention_days=30)
    old, recent = file_case(personas, SECRET), file_case(personas, SECRET)
    for case in (old, recent):
        services.close_case(actor=personas.handler_a, case=case, outcome="closed", response="Done.")
    Case.objects.filter(pk=old.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    call_command("anonymise_complaints", stdout=io.StringIO())
    old.refresh_from_db()
    recent.refresh_from_db()
    assert SECRET not in old.narrative and old.contact_email == "" and old.anonymised_at is not None
    assert recent.narrative == SECRET
    assert old.messages.get().body != "Done."


def test_guessing_at_the_status_check_is_slowed(personas: Personas) -> None:
    from django.core.cache import cache
    from django.test import Client, override_settings

    cache.clear()
    client = Client()
    with override_settings(COMPLAINT_STATUS_CHECKS_PER_MINUTE=3):
        codes = [
            client.post(
                "/complaints/status/", {"tracking_number": f"AAA-2026-ZZZZZ{n}", "email": "guess@example.com"}
            ).status_code
            for n in range(4)
        ]
    assert codes == [200, 200, 200, 429]
