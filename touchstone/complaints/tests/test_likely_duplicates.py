"""Likely duplicates, flagged at intake: a complaint from the same customer as an open case of the same agency,
received within the agency's window and saying much the same, is flagged "likely duplicate of <number>" on its page
and on the worklist; a handler merges it in one click or dismisses the flag. Nothing is ever merged by itself, an
unrelated complaint is not flagged, and another agency's case is never matched."""

import datetime as dt
import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from touchstone.complaints.models import Case, ComplaintSettings
from touchstone.complaints.tests.factories import file_case
from touchstone.complaints.tests.test_intake_and_assignment import submit_token
from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry

FIRST = "My benefit payment has not arrived for two months and nobody answers the phone at the office."
AGAIN = "I still have not received my benefit payment. It is two months late and the phone is never answered."
OTHER = "The clerk at the counter on Main Street was rude and refused to take my change of address form."


def file_on_the_web(personas: Personas, narrative: str, email: str = "pat@example.com") -> Case:
    response = Client().post(
        reverse("portal_complaints:new", args=[personas.agency_a.slug]),
        {"narrative": narrative, "contact_preference": "email", "contact_email": email},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Case.objects.filter(agency=personas.agency_a).latest("pk")


def test_the_same_customer_saying_the_same_again_is_flagged_on_the_case_page_and_the_worklist(
    personas: Personas, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    first = file_case(personas, FIRST, contact_email="pat@example.com")
    again = file_on_the_web(personas, AGAIN, email="Pat@Example.com")
    again.refresh_from_db()
    assert again.likely_duplicate_of == first
    first.refresh_from_db()
    assert first.likely_duplicate_of is None and first.is_open and again.is_open, "nothing merged by itself"
    assert AuditEntry.objects.filter(action="flagged as a likely duplicate").count() == 1

    handler = personas.client(personas.handler_a)
    page = handler.get(f"/manage/{personas.agency_a.slug}/complaints/cases/{again.pk}/").content.decode()
    assert 'id="likely-duplicate"' in page and first.tracking_number in page
    assert 'value="merge"' in page and 'value="dismiss"' in page
    worklist = handler.get(f"/manage/{personas.agency_a.slug}/complaints/").content.decode()
    assert f"Likely duplicate of {first.tracking_number}" in worklist
    viewer_page = personas.client(personas.viewer_a).get(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{again.pk}/"
    )
    assert first.tracking_number in viewer_page.content.decode()
    assert 'value="merge"' not in viewer_page.content.decode(), "only handlers act on the flag"
    for record in caplog.records:
        message = record.getMessage()
        assert "benefit payment" not in message and "pat@example.com" not in message.lower()


def test_the_api_and_email_intake_are_flagged_as_well(personas: Personas) -> None:
    first = file_case(personas, FIRST, contact_email="kim@example.com")
    answer = Client().post(
        "/api/v1/complaints",
        {"narrative": AGAIN, "channel": "website", "contact_email": "kim@example.com"},
        content_type="application/json",
        **submit_token(personas),
    )
    assert answer.status_code == 201
    by_api = Case.objects.get(tracking_number=answer.json()["tracking_number"])
    assert by_api.likely_duplicate_of == first

    from email.message import EmailMessage
    from email.utils import make_msgid

    from touchstone.complaints import inbound

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "kim@example.com", "complaints@a.gov", "Payment"
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    message.set_content("Writing again: " + FIRST.lower())
    by_email = inbound.receive(personas.agency_a, bytes(message)).case
    by_email.refresh_from_db()
    assert by_email.likely_duplicate_of in {first, by_api}


def test_an_unrelated_complaint_another_customer_an_old_or_closed_case_and_another_agency_are_not_flagged(
    personas: Personas,
) -> None:
    first = file_case(personas, FIRST, contact_email="pat@example.com")
    unrelated = file_on_the_web(personas, OTHER)
    stranger = file_on_the_web(personas, AGAIN, email="someone.else@example.org")
    elsewhere = file_case(personas, AGAIN, contact_email="pat@example.com", agency=personas.agency_b)
    for case in (unrelated, stranger, elsewhere):
        case.refresh_from_db()
        assert case.likely_duplicate_of is None
    # The other agency's own twin of the first case flags within that agency only.
    twin = file_case(personas, FIRST, contact_email="pat@example.com", agency=personas.agency_b)
    twin.refresh_from_db()
    assert twin.likely_duplicate_of == elsewhere and twin.likely_duplicate_of.agency == personas.agency_b

    Case.objects.filter(pk=first.pk).update(received_at=timezone.now() - dt.timedelta(days=45))
    late = file_on_the_web(personas, AGAIN)
    late.refresh_from_db()
    assert late.likely_duplicate_of is None, "outside the agency's 30 days"

    ComplaintSettings.objects.filter(agency=personas.agency_a).update(duplicate_window_days=0)
    from touchstone.complaints.config import CONFIG_MEMO

    CONFIG_MEMO.clear()
    off = file_on_the_web(personas, OTHER)
    off.refresh_from_db()
    assert off.likely_duplicate_of is None, "0 turns the flag off"


def test_a_handler_merges_the_flagged_case_in_one_click(personas: Personas) -> None:
    first = file_case(personas, FIRST)
    again = file_on_the_web(personas, AGAIN)
    handler = personas.client(personas.handler_a)
    response = handler.post(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{again.pk}/duplicate/", {"decision": "merge"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{first.pk}/")
    again.refresh_from_db()
    first.refresh_from_db()
    assert (
        again.merged_into == first and again.state == Case.State.CLOSED and again.likely_duplicate_of is None
    )
    assert first.is_open
    assert first.notes.filter(body__contains=again.tracking_number).exists()
    page = handler.get(f"/manage/{personas.agency_a.slug}/complaints/").content.decode()
    assert "Likely duplicate of" not in page


def test_a_handler_dismisses_the_flag_and_the_case_goes_on_its_own(personas: Personas) -> None:
    first = file_case(personas, FIRST)
    again = file_on_the_web(personas, AGAIN)
    handler = personas.client(personas.handler_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/cases/{again.pk}/duplicate/"
    response = handler.post(url, {"decision": "dismiss"})
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.likely_duplicate_of is None and again.is_open and again.merged_into is None
    assert AuditEntry.objects.filter(action="not a duplicate", object_id=str(again.pk)).exists()
    page = handler.get(f"/manage/{personas.agency_a.slug}/complaints/cases/{again.pk}/").content.decode()
    assert 'id="likely-duplicate"' not in page
    # Asked again, there is nothing to decide; nothing changes.
    handler.post(url, {"decision": "merge"})
    again.refresh_from_db()
    assert again.is_open and again.merged_into is None and Case.objects.get(pk=first.pk).is_open


@pytest.mark.parametrize("who", ["admin_b", "viewer_a"])
def test_another_agencys_staff_gets_404_and_a_viewer_403_on_the_flag(personas: Personas, who: str) -> None:
    file_case(personas, FIRST)
    again = file_on_the_web(personas, AGAIN)
    response = personas.client(getattr(personas, who)).post(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{again.pk}/duplicate/", {"decision": "merge"}
    )
    assert response.status_code == (404 if who == "admin_b" else 403)
    again.refresh_from_db()
    assert again.likely_duplicate_of is not None and again.is_open
