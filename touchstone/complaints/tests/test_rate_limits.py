"""Complaint filing is rate-limited per address (the public form) and per token and address (the API)."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from touchstone.complaints.models import Case
from touchstone.conftest import Personas
from touchstone.core import services as core_services

FORM = {
    "narrative": "My payment did not arrive.",
    "contact_preference": "email",
    "contact_email": "pat@example.com",
}


@pytest.mark.usefixtures("within_one_minute")
@override_settings(COMPLAINT_FILINGS_PER_MINUTE=3)
def test_the_public_form_files_only_a_few_complaints_a_minute_from_one_address(personas: Personas) -> None:
    url = reverse("portal_complaints:new", args=[personas.agency_a.slug])
    client = Client(REMOTE_ADDR="203.0.113.30")
    codes = [client.post(url, FORM).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Case.objects.count() == 3
    refused = client.post(url, FORM)
    assert refused["Retry-After"] == "60"
    assert "Too many complaints from here" in refused.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.8").post(url, FORM).status_code == 302


@pytest.mark.usefixtures("within_one_minute")
@override_settings(COMPLAINT_FILINGS_PER_MINUTE=2)
def test_a_bot_filling_the_complaint_honeypot_is_counted_too(personas: Personas) -> None:
    url = reverse("portal_complaints:new", args=[personas.agency_a.slug])
    client = Client(REMOTE_ADDR="203.0.113.31")
    codes = [client.post(url, {**FORM, "website": "http://spam"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert not Case.objects.exists()


@pytest.mark.usefixtures("within_one_minute")
@override_settings(COMPLAINT_API_FILINGS_PER_MINUTE=2)
def test_the_api_files_only_a_few_complaints_a_minute_per_token_and_address(personas: Personas) -> None:
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="kiosk", scopes=["submit"]
    )
    body = {
        "narrative": "Kiosk ate my card.",
        "channel": "self_service_kiosk",
        "contact_email": "kim@example.com",
    }
    client = Client(REMOTE_ADDR="203.0.113.32", HTTP_AUTHORIZATION=f"Bearer {secret}")
    answers = [client.post("/api/v1/complaints", body, content_type="application/json") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[-1]["Content-Type"] == "application/problem+json"
    assert Case.objects.count() == 2
