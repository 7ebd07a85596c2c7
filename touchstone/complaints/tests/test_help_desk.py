"""What any help desk gives: canned replies in English and Spanish with placeholders, internal notes the customer
never sees beside replies they read on the status page, and merging a customer's duplicate case."""

from typing import Any

from touchstone.complaints import services
from touchstone.complaints.models import CannedReply, Case
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas


def canned(personas: Personas) -> CannedReply:
    return CannedReply.objects.create(
        agency=personas.agency_a,
        title="Payment found",
        body_en="Dear {customer_name}, about {tracking_number}: the {agency} found your payment.",
        body_es="Estimado/a {customer_name}, sobre {tracking_number}: la {agency} encontró su pago.",
    )


def test_an_admin_adds_a_canned_reply_and_an_unknown_placeholder_is_named(personas: Personas) -> None:
    admin = personas.client(personas.admin_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/setup/replies/new/"
    page = admin.post(url, {"title": "Thanks", "body_en": "Hello {name}", "body_es": ""})
    assert page.status_code == 200 and "{name} is not a placeholder" in page.content.decode()
    admin.post(
        url, {"title": "Thanks", "body_en": "Hello {customer_name}", "body_es": "Hola {customer_name}"}
    )
    reply = CannedReply.objects.get(agency=personas.agency_a)
    assert reply.body_es == "Hola {customer_name}"
    assert "Thanks" in admin.get(f"/manage/{personas.agency_a.slug}/complaints/setup/").content.decode()


def test_a_handler_sends_a_canned_reply_filled_in_the_customers_language(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    reply = canned(personas)
    english = file_case(personas, contact_name="Pat")
    spanish = file_case(personas, contact_name="Ana", language="es")
    handler = personas.client(personas.handler_a)
    for case in (english, spanish):
        with django_capture_on_commit_callbacks(execute=True):
            handler.post(
                f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/message/",
                {"canned": reply.pk, "body": ""},
            )
    assert english.messages.get().body == (
        f"Dear Pat, about {english.tracking_number}: the Agency of Alpha found your payment."
    )
    assert spanish.messages.get().body.startswith(f"Estimado/a Ana, sobre {spanish.tracking_number}")
    page = handler.post(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{english.pk}/message/", {"body": ""}
    )
    assert "Write a message or choose a canned reply." in page.content.decode()


def test_internal_notes_stay_inside_and_replies_show_on_the_customers_status_page(personas: Personas) -> None:
    case = file_case(personas, contact_email="pat@example.com")
    services.add_note(actor=personas.handler_a, case=case, body="Caller sounded upset; check the ledger.")
    services.send_message(actor=personas.handler_a, case=case, body="We are checking your payment.")
    services.customer_replies(case=case, body="Thank you for checking.")
    customer = personas.client(None)
    page = customer.post(
        "/complaints/status/",
        {"tracking_number": case.tracking_number, "email": "pat@example.com"},
        follow=True,
    ).content.decode()
    assert "We are checking your payment." in page and "Thank you for checking." in page
    assert "check the ledger" not in page


def test_a_handler_merges_a_customers_duplicate_and_its_history_follows(personas: Personas) -> None:
    first = file_case(personas, "My payment is late.", contact_email="pat@example.com")
    twin = file_case(personas, "Payment late again, second form.", contact_email="pat@example.com")
    services.customer_replies(case=twin, body="Here is my reference number 42.")
    handler = personas.client(personas.handler_a)
    response = handler.post(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{twin.pk}/merge/", {"into": first.tracking_number}
    )
    assert response.status_code == 302 and response.url.endswith(f"/cases/{first.pk}/")
    twin.refresh_from_db()
    assert twin.state == Case.State.CLOSED and twin.merged_into == first
    assert [m.body for m in first.messages.all()] == ["Here is my reference number 42."]
    assert first.notes.filter(body__contains=twin.tracking_number).exists()
    assert twin.events.filter(state=Case.State.CLOSED).exists()
    page = handler.get(f"/manage/{personas.agency_a.slug}/complaints/cases/{twin.pk}/").content.decode()
    assert "Merged into" in page and first.tracking_number in page
    status = personas.client(None).post(
        "/complaints/status/",
        {"tracking_number": twin.tracking_number, "email": "pat@example.com"},
        follow=True,
    )
    assert f"We joined this complaint with your complaint {first.tracking_number}" in status.content.decode()


def test_another_customers_case_or_another_agencys_number_cannot_be_merged_into(personas: Personas) -> None:
    mine = file_case(personas, contact_email="pat@example.com")
    theirs = file_case(personas, contact_email="someone@example.com")
    elsewhere = file_case(personas, agency=personas.agency_b, contact_email="pat@example.com")
    handler = personas.client(personas.handler_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/cases/{mine.pk}/merge/"
    page = handler.post(url, {"into": theirs.tracking_number}).content.decode()
    assert "another customer" in page
    page = handler.post(url, {"into": elsewhere.tracking_number}).content.decode()
    assert "No case of this agency has the tracking number" in page
    mine.refresh_from_db()
    assert mine.merged_into is None and mine.is_open
