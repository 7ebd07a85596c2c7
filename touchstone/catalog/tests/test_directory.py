"""The public directory and a page per service: what it is, who it is for, every way to get it."""

from django.test import Client

from touchstone.catalog import selectors
from touchstone.catalog.models import Provider, Service
from touchstone.catalog.tests.factories import link, published_service
from touchstone.conftest import Personas


def test_the_directory_finds_services_by_every_word_of_the_query(personas: Personas) -> None:
    published_service(personas.agency_a, "Renew a passport", description="Renew your passport by mail.")
    published_service(personas.agency_b, "Passport photo rules")
    published_service(personas.agency_a, "Fishing license")
    html = Client().get("/services/?q=passport+renew").content.decode()
    assert "Renew a passport" in html
    assert "Passport photo rules" not in html and "Fishing license" not in html
    assert "1 service found." in html


def test_the_directory_filters_by_kind_segment_and_channel(personas: Personas) -> None:
    phone = published_service(personas.agency_a, "Phone help", channels=("phone",), kind="informational")
    web = published_service(personas.agency_a, "Web permits", channels=("website",), kind="regulatory")
    link(web, "Farms", 10, 5, kind="businesses")
    found = {s.name for s in selectors.published_services(selectors.DirectoryFilters(channel="phone"))}
    assert found == {"Phone help"}
    found = {
        s.name for s in selectors.published_services(selectors.DirectoryFilters(segment_kind="businesses"))
    }
    assert found == {"Web permits"}
    html = Client().get("/services/?kind=informational").content.decode()
    assert phone.name in html and web.name not in html


def test_drafts_and_retired_services_are_not_public(personas: Personas) -> None:
    published_service(personas.agency_a, "Old form", status=Service.Status.RETIRED)
    draft = published_service(personas.agency_a, "Secret plan", status=Service.Status.DRAFT)
    assert "Old form" not in Client().get("/services/").content.decode()
    assert Client().get(f"/agencies/aaa/services/{draft.slug}/").status_code == 404


def test_an_agencys_directory_shows_only_its_services(personas: Personas) -> None:
    published_service(personas.agency_a, "Alpha service")
    published_service(personas.agency_b, "Beta service")
    html = Client().get("/agencies/bbb/services/").content.decode()
    assert "Beta service" in html and "Alpha service" not in html


def test_a_service_page_says_who_it_is_for_how_to_get_it_where_to_go_and_how_to_complain(
    personas: Personas,
) -> None:
    service = published_service(
        personas.agency_a,
        "Apply for benefits",
        channels=("website", "phone", "in_person"),
        eligibility="People aged 62 or older.",
        how_to_complain="Call 800-555-0100.",
    )
    link(service, "Retirees", 10, 5)
    provider = Provider.objects.create(
        agency=personas.agency_a, name="Denver office", address="1 Elm St, Denver"
    )
    provider.services.add(service)
    html = Client().get(f"/agencies/aaa/services/{service.slug}/").content.decode()
    for expected in (
        "People aged 62 or older.",
        "Retirees",
        "Online",
        "By phone, mail or in person",
        "Denver office",
        "1 Elm St, Denver",
        "Call 800-555-0100.",
    ):
        assert expected in html, expected


def test_the_service_page_is_in_spanish(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Benefits")
    html = Client().get(f"/es/agencies/aaa/services/{service.slug}/").content.decode()
    assert 'lang="es"' in html
    assert "Cómo presentar una queja" in html


def test_the_directory_query_count_does_not_grow_with_results(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    for number in range(30):
        published_service(personas.agency_a, f"Service {number}")
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        Client().get("/services/?q=service")


def test_a_search_that_finds_nothing_says_so(personas: Personas) -> None:
    assert "0 services found." in Client().get("/services/?q=zebra").content.decode()


def test_a_spanish_page_shows_what_the_agency_wrote_in_spanish_and_the_english_where_it_wrote_none(
    personas: Personas,
) -> None:
    spanish = published_service(
        personas.agency_a, "Renew a passport", description="Renew your passport by mail."
    )
    spanish.name_es, spanish.description_es = "Renovar un pasaporte", "Renueve su pasaporte por correo."
    spanish.save()
    english_only = published_service(personas.agency_a, "Fishing license")
    page = Client().get(f"/es/agencies/aaa/services/{spanish.slug}/").content.decode()
    assert "<title>Renovar un pasaporte" in page and "Renueve su pasaporte por correo." in page
    assert "Renew your passport by mail." not in page
    assert "Renew a passport" in Client().get(f"/agencies/aaa/services/{spanish.slug}/").content.decode()
    assert (
        "<title>Fishing license"
        in Client().get(f"/es/agencies/aaa/services/{english_only.slug}/").content.decode()
    )
    found = Client().get("/es/services/?q=renovar").content.decode()
    assert "Renovar un pasaporte" in found and "Fishing license" not in found
