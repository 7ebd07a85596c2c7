"""A complaint from the public form, the staff form and the API, followed to closure."""

import re
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from touchstone.complaints.models import Case, SatisfactionFollowUp
from touchstone.complaints.tests.factories import file_case, standard_policy
from touchstone.conftest import Personas
from touchstone.core import services as core_services

FORM = {
    "narrative": "My retirement payment did not arrive this month.",
    "remedy_wanted": "Pay me what I am owed.",
    "contact_name": "Pat Doe",
    "contact_preference": "email",
    "contact_email": "Pat@Example.com",
    "state_code": "md",
}


def submit(client: Client, personas: Personas, **extra: Any) -> Any:
    url = reverse("portal_complaints:new", args=[personas.agency_a.slug])
    return client.post(url, FORM | extra, follow=True)


def test_a_member_of_the_public_files_a_complaint_and_follows_it_to_closure(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    standard_policy(personas)
    public = Client()
    assert public.get(reverse("portal_complaints:start", args=[personas.agency_a.slug])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(public, personas)
    case = Case.objects.get()
    assert case.tracking_number in response.content.decode()
    assert re.fullmatch(r"AAA-\d{4}-[0-9A-HJKMNP-TV-Z]{6}", case.tracking_number)
    assert case.state == Case.State.ACKNOWLEDGED and case.contact_email == "pat@example.com"
    assert mail.outbox[-1].to == ["pat@example.com"] and case.tracking_number in mail.outbox[-1].subject
    assert FORM["narrative"] not in mail.outbox[-1].body

    handler = personas.client(personas.handler_a)
    base = f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}"
    assert (
        handler.post(
            f"{base}/assess/", {"severity": "medium", "urgency": "soon", "new_topic": "Late payment"}
        ).status_code
        == 302
    )
    assert handler.post(f"{base}/message/", {"body": "We are checking with the treasury."}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        closed = handler.post(
            f"{base}/close/",
            {"outcome": "monetary", "relief_amount": "812.40", "response": "We paid the missing $812.40."},
        )
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED and case.outcome == Case.Outcome.MONETARY
    assert case.topic is not None and case.topic.name == "Late payment"
    assert case.met("first_response") is True

    status = public.post(
        reverse("portal_complaints:status"),
        {"tracking_number": case.tracking_number.lower(), "email": "pat@example.com"},
        follow=True,
    )
    page = status.content.decode()
    assert "We paid the missing $812.40." in page and "Closed with monetary relief" in page

    follow_up_link = re.search(r"/complaints/follow-up/([\w-]+)/", mail.outbox[-1].body)
    assert follow_up_link is not None
    answered = public.post(follow_up_link.group(0), {"resolved": "yes", "satisfaction": "5"})
    assert answered.status_code == 200
    follow_up = SatisfactionFollowUp.objects.get(case=case)
    assert follow_up.resolved is True and follow_up.satisfaction == 5
    assert public.post(follow_up_link.group(0), {"resolved": "no", "satisfaction": "1"}).status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.satisfaction == 5, "a follow-up link answers once"


def test_the_status_check_refuses_the_wrong_email_the_same_way_as_an_unknown_number(
    personas: Personas,
) -> None:
    case = file_case(personas)
    url = reverse("portal_complaints:status")
    wrong_email = Client().post(url, {"tracking_number": case.tracking_number, "email": "someone@else.com"})
    unknown = Client().post(url, {"tracking_number": "AAA-2026-ZZZZZZ", "email": "pat@example.com"})
    assert wrong_email.status_code == unknown.status_code == 200
    assert "We could not find a complaint" in wrong_email.content.decode()

    def strip(response):
        return (
            response.content.decode()
            .replace(case.tracking_number, "N")
            .replace("AAA-2026-ZZZZZZ", "N")
            .replace("someone@else.com", "E")
            .replace("pat@example.com", "E")
        )  # noqa: E731

    assert re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", strip(wrong_email)) == re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', "", strip(unknown)
    )
    assert "My payment is late" not in wrong_email.content.decode()
    assert Client().get(reverse("portal_complaints:reply")).status_code == 404


def test_the_customer_answers_a_question_and_the_clock_runs_again(personas: Personas) -> None:
    case = file_case(personas)
    handler = personas.client(personas.handler_a)
    handler.post(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/wait/", {"question": "Which bank?"}
    )
    case.refresh_from_db()
    assert case.state == Case.State.WAITING
    public = Client()
    public.post(
        reverse("portal_complaints:status"),
        {"tracking_number": case.tracking_number, "email": "pat@example.com"},
    )
    assert "Which bank?" in public.get(reverse("portal_complaints:status")).content.decode()
    public.post(reverse("portal_complaints:reply"), {"body": "First Federal."})
    case.refresh_from_db()
    assert case.state == Case.State.IN_PROGRESS and case.waiting_since is None


def test_a_customer_disputes_a_closed_case_within_the_window(personas: Personas) -> None:
    case = file_case(personas)
    from touchstone.complaints import services

    services.close_case(actor=personas.handler_a, case=case, outcome="explanation", response="Paid on time.")
    public = Client()
    public.post(
        reverse("portal_complaints:status"),
        {"tracking_number": case.tracking_number, "email": "pat@example.com"},
    )
    public.post(reverse("portal_complaints:dispute"), {"reason": "It was not."})
    case.refresh_from_db()
    assert case.state == Case.State.REOPENED and case.disputed


def test_software_that_fills_the_hidden_field_leaves_no_complaint(personas: Personas) -> None:
    response = submit(Client(), personas, website="http://spam.example")
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_the_form_tells_the_person_what_is_missing(personas: Personas) -> None:
    response = submit(Client(), personas, narrative="", contact_email="")
    page = response.content.decode()
    assert "Please correct the following" in page and "Give an email address" in page
    assert Case.objects.count() == 0


def test_the_public_form_speaks_spanish(personas: Personas) -> None:
    page = Client().get(f"/es/agencies/{personas.agency_a.slug}/complaints/new/").content.decode()
    assert "¿Qué pasó?" in page


def test_a_pdf_is_attached_and_a_program_named_pdf_is_refused(personas: Personas) -> None:
    pdf = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 a letter", content_type="application/pdf")
    submit(Client(), personas, attachments=pdf)
    case = Case.objects.get()
    assert case.attachments.get().content_type == "application/pdf"
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00\x03 not a pdf", content_type="application/pdf")
    response = submit(Client(), personas, attachments=fake)
    assert "is not a PDF, PNG, JPEG or plain text file" in response.content.decode()
    assert Case.objects.count() == 1
    handler = personas.client(personas.handler_a)
    attachment = case.attachments.get()
    download = handler.get(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/attachments/{attachment.pk}/"
    )
    assert download.status_code == 200
    viewer = personas.client(personas.viewer_a)
    assert (
        viewer.get(
            f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/attachments/{attachment.pk}/"
        ).status_code
        == 403
    )


def test_a_handler_records_a_complaint_made_by_phone(personas: Personas) -> None:
    handler = personas.client(personas.handler_a)
    response = handler.post(
        f"/manage/{personas.agency_a.slug}/complaints/new/",
        {
            "channel": "phone",
            "narrative": "Caller says the office was closed.",
            "contact_preference": "phone",
            "contact_phone": "555-0101",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.channel == "phone"
    assert (
        personas.client(personas.viewer_a)
        .get(f"/manage/{personas.agency_a.slug}/complaints/new/")
        .status_code
        == 403
    )


def _token(personas: Personas, agency: str, scopes: list[str]) -> dict[str, str]:
    target, owner = (
        (personas.agency_a, personas.admin_a) if agency == "a" else (personas.agency_b, personas.admin_b)
    )
    _token, secret = core_services.create_api_token(
        actor=owner, agency=target, name=f"partner-{agency}", scopes=scopes
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_partner_system_files_a_complaint_once_per_idempotency_key(personas: Personas) -> None:
    headers = _token(personas, "a", ["submit", "read"]) | {"HTTP_IDEMPOTENCY_KEY": "partner-42"}
    body = {
        "narrative": "Kiosk ate my card.",
        "channel": "self_service_kiosk",
        "contact_email": "kim@example.com",
    }
    first = Client().post("/api/v1/complaints", body, content_type="application/json", **headers)
    again = Client().post("/api/v1/complaints", body, content_type="application/json", **headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["tracking_number"] == again.json()["tracking_number"]
    assert "narrative" not in first.json()
    assert Case.objects.count() == 1
    read_only = _token(personas, "a", ["read"])
    assert (
        Client().post("/api/v1/complaints", body, content_type="application/json", **read_only).status_code
        == 403
    )


def test_another_agencys_case_is_404_through_the_api_and_the_workspace(personas: Personas) -> None:
    case = file_case(personas)
    other = _token(personas, "b", ["read"])
    assert Client().get(f"/api/v1/complaints/{case.tracking_number}", **other).status_code == 404
    assert Client().get("/api/v1/complaints", **other).json()["items"] == []
    mine = _token(personas, "a", ["read"])
    assert (
        Client().get(f"/api/v1/complaints/{case.tracking_number}", **mine).json()["state"] == "acknowledged"
    )
    outsider = personas.client(personas.admin_b)
    assert outsider.get(f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/").status_code == 404
    assert outsider.get(f"/manage/{personas.agency_b.slug}/complaints/cases/{case.pk}/").status_code == 404


@pytest.mark.parametrize("strategy", ["round_robin", "least_loaded"])
def test_new_cases_are_shared_among_handlers(personas: Personas, strategy: str) -> None:
    from touchstone.complaints.models import ComplaintSettings
    from touchstone.conftest import make_user
    from touchstone.core.models import Role

    second = make_user("handler-two", personas.agency_a, Role.HANDLER)
    ComplaintSettings.objects.create(agency=personas.agency_a, assignment=strategy)
    handlers = [file_case(personas).handler for _ in range(4)]
    assert handlers.count(personas.handler_a) == 2 and handlers.count(second) == 2


def test_an_attachment_whose_file_is_missing_from_the_store_is_a_404_not_a_server_error(
    personas: Personas,
) -> None:
    submit(
        Client(), personas, attachments=SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
    )
    attachment = Case.objects.get().attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    download = personas.client(personas.handler_a).get(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{attachment.case_id}/attachments/{attachment.pk}/"
    )
    assert download.status_code == 404
