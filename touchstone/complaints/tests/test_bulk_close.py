"""Bulk close on the worklist: the ticked cases close with one outcome and one response, each as a single close does
(its clock stopped, its history and audit entry written, its customer told and asked how it went), all of them or,
if one cannot close, none; a case of another agency among them is a 404 and nothing changes."""

from typing import Any

from django.core import mail

from touchstone.complaints.models import Case, CaseEvent, CaseMessage, SatisfactionFollowUp
from touchstone.complaints.tests.factories import file_case, standard_policy
from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry

RESPONSE = "The payment system fault of 3 November is fixed and every late payment has now been made."


def url(personas: Personas) -> str:
    return f"/manage/{personas.agency_a.slug}/complaints/bulk/"


def test_a_handler_closes_the_ticked_cases_with_one_outcome_and_each_customer_is_told(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    standard_policy(personas)
    first = file_case(personas, "Payment late.", contact_email="ana@example.com")
    second = file_case(personas, "My payment never came.", contact_email="ben@example.com")
    untouched = file_case(personas, "A rude clerk.", contact_email="cy@example.com")
    assert first.next_breach_at is not None, "the clock runs before the close"
    mail.outbox.clear()
    handler = personas.client(personas.handler_a)
    with django_capture_on_commit_callbacks(execute=True):
        page = handler.post(
            url(personas),
            {
                "action": "close",
                "cases": [first.pk, second.pk],
                "outcome": "explanation",
                "response": RESPONSE,
            },
            follow=True,
        )
    assert "Done for 2 cases." in page.content.decode()
    for case in (first, second):
        case.refresh_from_db()
        assert case.state == Case.State.CLOSED and case.outcome == "explanation"
        assert case.closed_at is not None and case.next_breach_at is None, "the clock stopped"
        assert CaseEvent.objects.filter(case=case, state=Case.State.CLOSED).exists()
        assert AuditEntry.objects.filter(action="closed", object_id=str(case.pk)).exists()
        assert CaseMessage.objects.get(case=case, direction="to_customer").body == RESPONSE
        assert SatisfactionFollowUp.objects.filter(case=case).exists()
    told = {tuple(message.to) for message in mail.outbox}
    assert told == {("ana@example.com",), ("ben@example.com",)}
    assert all("is closed" in message.subject for message in mail.outbox)
    untouched.refresh_from_db()
    assert untouched.is_open


def test_bulk_close_is_all_or_nothing_and_names_what_is_missing(personas: Personas) -> None:
    open_case = file_case(personas, "Payment late.", contact_email="ana@example.com")
    closed = file_case(personas, "Another thing.", contact_email="ben@example.com")
    handler = personas.client(personas.handler_a)
    handler.post(
        url(personas), {"action": "close", "cases": [closed.pk], "outcome": "closed", "response": "Done."}
    )
    page = handler.post(
        url(personas),
        {
            "action": "close",
            "cases": [open_case.pk, closed.pk],
            "outcome": "explanation",
            "response": RESPONSE,
        },
        follow=True,
    )
    assert f"{closed.tracking_number} is closed; nothing was changed." in page.content.decode()
    open_case.refresh_from_db()
    assert open_case.is_open and not CaseMessage.objects.filter(case=open_case).exists()

    page = handler.post(url(personas), {"action": "close", "cases": [open_case.pk]}, follow=True)
    assert page.content.decode().count("Fill this in for the action you chose.") == 2
    page = handler.post(
        url(personas),
        {"action": "close", "cases": [open_case.pk], "outcome": "monetary", "response": RESPONSE},
        follow=True,
    )
    assert "Select a valid choice" in page.content.decode()
    open_case.refresh_from_db()
    assert open_case.is_open


def test_a_case_of_another_agency_among_the_ticked_gives_404_and_closes_nothing(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    mine = file_case(personas)
    elsewhere = file_case(personas, agency=personas.agency_b)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.handler_a).post(
            url(personas),
            {"action": "close", "cases": [mine.pk, elsewhere.pk], "outcome": "closed", "response": RESPONSE},
        )
    assert response.status_code == 404
    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    assert mine.is_open and elsewhere.is_open and mail.outbox == []
    assert not AuditEntry.objects.filter(action="closed").exists()


def test_a_viewer_cannot_bulk_close(personas: Personas) -> None:
    case = file_case(personas)
    response = personas.client(personas.viewer_a).post(
        url(personas), {"action": "close", "cases": [case.pk], "outcome": "closed", "response": RESPONSE}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.is_open
