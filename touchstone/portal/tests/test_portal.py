"""The public portal: the agency directory, each agency's page, Spanish, and the error pages."""

from django.test import Client

from touchstone.conftest import Personas


def test_the_home_page_lists_agencies_with_their_sub_agencies(personas: Personas) -> None:
    personas.agency_b.parent = personas.agency_a
    personas.agency_b.save()
    html = Client().get("/").content.decode()
    assert "Agency of Alpha" in html
    assert 'href="/agencies/bbb/"' in html


def test_the_directory_can_be_searched(personas: Personas) -> None:
    html = Client().get("/?q=beta").content.decode()
    assert "Bureau of Beta" in html and "Agency of Alpha" not in html


def test_an_agency_page_shows_its_offices(personas: Personas) -> None:
    html = Client().get("/agencies/aaa/").content.decode()
    assert "We serve alphas." in html
    assert "Alpha Field Office" in html


def test_the_portal_speaks_spanish(personas: Personas) -> None:
    html = Client().get("/es/").content.decode()
    assert 'lang="es"' in html
    assert "Un sitio oficial del Gobierno de Estados Unidos" in html


def test_the_language_switch_keeps_the_page(personas: Personas) -> None:
    response = Client().post("/i18n/setlang/", {"language": "es", "next": "/agencies/aaa/"})
    assert response["Location"] == "/es/agencies/aaa/"


def test_an_unknown_page_is_a_friendly_404(db: object) -> None:
    response = Client().get("/agencies/no-such-agency/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_query_count_of_the_home_page_does_not_grow_with_agencies(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    from touchstone.core.models import Agency

    for number in range(20):
        Agency.objects.create(name=f"Agency {number}", abbreviation=f"AG{number}")
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        Client().get("/")


def test_an_agency_page_leads_to_its_services_standards_and_complaints(personas: Personas) -> None:
    html = Client().get("/agencies/aaa/").content.decode()
    for link in (
        "/agencies/aaa/services/",
        "/agencies/aaa/standards/",
        "/agencies/aaa/complaints/",
        "/complaints/status/",
        "/agencies/aaa/complaints/statistics/",
    ):
        assert f'href="{link}"' in html, link
