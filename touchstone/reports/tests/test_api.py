"""The reports API: read the token's agency's reports, plans, collections and action plans; submit a collection."""

from django.test import Client

from touchstone.conftest import Personas
from touchstone.core import services as core_services
from touchstone.core.models import Agency
from touchstone.reports import services
from touchstone.reports.tests.helpers import surveyed
from touchstone.reports.tests.test_a11_collections import collection, complete
from touchstone.surveys.exports import A11_UPLOAD_HEADERS


def client(agency: Agency, scopes: list[str]) -> Client:
    _token, secret = core_services.create_api_token(actor=None, agency=agency, name="t", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_report_reads_with_its_live_figures(personas: Personas) -> None:
    surveyed(personas.agency_a, 40, 30)
    report = services.start_report(actor=None, agency=personas.agency_a, period="FY2026 Q2")
    body = client(personas.agency_a, ["read"]).get(f"/api/v1/reports/survey-reports/{report.pk}").json()
    assert body["period"] == "FY2026 Q2" and body["frozen"] is False
    assert body["figures"]["respondents"] == 40
    assert (
        client(personas.agency_b, ["read"]).get(f"/api/v1/reports/survey-reports/{report.pk}").status_code
        == 404
    )


def test_a_collection_is_read_with_its_rating_and_submitted_by_a_write_token(personas: Personas) -> None:
    c = complete(collection(personas.agency_a, survey=surveyed(personas.agency_a, 10, 8)))
    c = services.fill_from_survey(actor=None, collection=c)
    reader = client(personas.agency_a, ["read"])
    body = reader.get(f"/api/v1/reports/a11-collections/{c.pk}").json()
    assert body["rating"] == "green" and body["due_date"] == "2026-04-30"
    rows = reader.get(f"/api/v1/reports/a11-collections/{c.pk}/responses").json()
    assert rows["headers"] == A11_UPLOAD_HEADERS
    submitted = client(personas.agency_a, ["write"]).post(f"/api/v1/reports/a11-collections/{c.pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"


def test_an_incomplete_collection_is_refused_with_what_is_missing(personas: Personas) -> None:
    c = collection(personas.agency_a)
    response = client(personas.agency_a, ["write"]).post(f"/api/v1/reports/a11-collections/{c.pk}/submit")
    assert response.status_code == 422
    assert "OMB control number" in response.content.decode()
