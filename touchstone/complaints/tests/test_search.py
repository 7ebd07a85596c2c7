"""A handler finds a complaint by its tracking number or by the customer's name or email."""

from django.urls import reverse

from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas


def worklist_url(personas: Personas) -> str:
    return reverse("manage:complaints:worklist", args=[personas.agency_a.slug])


def test_an_exact_tracking_number_jumps_to_the_case_whatever_its_case(personas: Personas) -> None:
    case = file_case(personas)
    response = personas.client(personas.handler_a).get(
        worklist_url(personas), {"q": f"  {case.tracking_number.lower()} "}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:complaints:case", args=[personas.agency_a.slug, case.pk])


def test_a_handler_finds_cases_by_part_of_the_customers_name_or_email(personas: Personas) -> None:
    pat = file_case(personas, contact_name="Pat Quinlan", contact_email="pat.q@example.com")
    other = file_case(personas, contact_name="Robin Ortiz", contact_email="robin@example.org")
    client = personas.client(personas.handler_a)

    by_name = client.get(worklist_url(personas), {"q": "quinlan"})
    assert pat.tracking_number in by_name.content.decode()
    assert other.tracking_number not in by_name.content.decode()

    by_email = client.get(worklist_url(personas), {"q": "ROBIN@EXAMPLE"})
    assert other.tracking_number in by_email.content.decode()
    assert pat.tracking_number not in by_email.content.decode()


def test_search_stays_inside_the_agency(personas: Personas) -> None:
    theirs = file_case(personas, agency=personas.agency_b, contact_name="Pat Quinlan")
    client = personas.client(personas.handler_a)
    response = client.get(worklist_url(personas), {"q": theirs.tracking_number})
    assert response.status_code == 200
    assert "No complaint matches" in response.content.decode()
    assert "No complaint matches" in client.get(worklist_url(personas), {"q": "quinlan"}).content.decode()


def test_a_viewer_cannot_search_by_personal_details(personas: Personas) -> None:
    pat = file_case(personas, contact_name="Pat Quinlan")
    response = personas.client(personas.viewer_a).get(worklist_url(personas), {"q": "quinlan"})
    assert pat.tracking_number not in response.content.decode()


def test_the_worklist_has_a_search_box(personas: Personas) -> None:
    response = personas.client(personas.handler_a).get(worklist_url(personas))
    assert 'name="q"' in response.content.decode()
