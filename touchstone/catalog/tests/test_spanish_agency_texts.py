"""What an agency writes about its services (fees, ways in, hours, who it is for, its standards, how to complain)
reads in Spanish on the Spanish public pages when the agency wrote it, and in English where it did not."""

from pathlib import Path

from django.test import Client

from touchstone.catalog.models import Provider, Segment, ServiceChannel, ServiceSegment
from touchstone.catalog.tests.factories import published_service
from touchstone.catalog.tests.test_api import headers as api_headers
from touchstone.conftest import Personas
from touchstone.standards.tests.test_pages_and_api import measured_standard


def test_a_spanish_service_page_shows_the_agencys_spanish_for_each_text_it_wrote(personas: Personas) -> None:
    service = published_service(
        personas.agency_a,
        "Apply for benefits",
        channels=(),
        fees="Free",
        fees_es="Gratis",
        how_to_complain="Call 800-555-0100.",
        how_to_complain_es="Llame al 800-555-0100.",
    )
    ServiceChannel.objects.create(
        service=service,
        channel="phone",
        how_to_use="Call 800-555-0140",
        how_to_use_es="Llame al 800-555-0140",
        hours="Mon–Fri 9 a.m.–5 p.m.",
        hours_es="lunes a viernes, de 9:00 a 17:00",
        languages="English, Spanish",
        languages_es="inglés y español",
        accessibility="TTY 800-555-0141",
        accessibility_es="TTY 800-555-0141 (teletipo)",
    )
    segment = Segment.objects.create(
        agency=personas.agency_a,
        name="Retirees",
        name_es="Jubilados",
        description="People who stopped working.",
        description_es="Personas que dejaron de trabajar.",
    )
    ServiceSegment.objects.create(service=service, segment=segment)
    office = Provider.objects.create(
        agency=personas.agency_a,
        name="Denver office",
        address="1 Elm St, Denver",
        hours="Mon–Fri 9–4",
        hours_es="lunes a viernes, de 9:00 a 16:00",
        accessibility="Step-free entrance.",
        accessibility_es="Entrada sin escalones.",
    )
    office.services.add(service)

    spanish = Client().get(f"/es/agencies/aaa/services/{service.slug}/").content.decode()
    english = Client().get(f"/agencies/aaa/services/{service.slug}/").content.decode()

    pairs = [
        ("Free", "Gratis"),
        ("Call 800-555-0100.", "Llame al 800-555-0100."),
        ("Call 800-555-0140", "Llame al 800-555-0140"),
        ("Mon–Fri 9 a.m.–5 p.m.", "lunes a viernes, de 9:00 a 17:00"),
        ("English, Spanish", "inglés y español"),
        ("TTY 800-555-0141", "TTY 800-555-0141 (teletipo)"),
        ("Retirees", "Jubilados"),
        ("People who stopped working.", "Personas que dejaron de trabajar."),
        ("Mon–Fri 9–4", "lunes a viernes, de 9:00 a 16:00"),
        ("Step-free entrance.", "Entrada sin escalones."),
    ]
    for in_english, in_spanish in pairs:
        assert in_spanish in spanish, in_spanish
        assert in_english in english, in_english
    for in_english in ("Call 800-555-0100.", "Mon–Fri 9 a.m.–5 p.m.", "Step-free entrance.", "Retirees"):
        assert in_english not in spanish, in_english


def test_a_text_the_agency_wrote_only_in_english_shows_in_english_on_the_spanish_page(
    personas: Personas,
) -> None:
    service = published_service(personas.agency_a, "Apply for benefits", channels=(), fees="$35")
    ServiceChannel.objects.create(service=service, channel="phone", hours="Mon–Fri 9 a.m.–5 p.m.")
    spanish = Client().get(f"/es/agencies/aaa/services/{service.slug}/").content.decode()
    assert "$35" in spanish and "Mon–Fri 9 a.m.–5 p.m." in spanish


def test_a_standard_reads_in_spanish_on_the_spanish_standards_page(
    personas: Personas, tmp_path: Path
) -> None:
    standard = measured_standard(personas, tmp_path)
    standard.statement_es = "Devolvemos su dinero en 5 días hábiles, el 80 % de las veces."
    standard.save(update_fields=["statement_es"])
    spanish = Client().get("/es/agencies/aaa/standards/").content.decode()
    assert "Devolvemos su dinero en 5 días hábiles" in spanish
    assert "We refund within 5 business days" not in spanish
    english = Client().get("/agencies/aaa/standards/").content.decode()
    assert "We refund within 5 business days" in english
    # The month a result is for, by name in the page's language, not as the store writes it ("2024-06").
    assert "In June 2024," in english and "junio de 2024" in spanish


def test_the_complaint_form_names_services_in_the_pages_language(personas: Personas) -> None:
    service = published_service(personas.agency_a, "Apply for benefits")
    service.name_es = "Solicitar beneficios"
    service.save()
    spanish = Client().get("/es/agencies/aaa/complaints/new/").content.decode()
    assert "Solicitar beneficios" in spanish and "Apply for benefits" not in spanish


def test_the_catalog_api_reads_and_writes_the_spanish_texts(personas: Personas) -> None:
    headers = api_headers(personas)
    client = Client()
    created = client.post(
        "/api/v1/catalog/services",
        {"name": "Renew a permit", "description": "Renew it.", "fees": "$5", "fees_es": "5 dólares"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201, created.content
    assert created.json()["fees_es"] == "5 dólares"
    channel = client.post(
        f"/api/v1/catalog/services/{created.json()['id']}/channels",
        {"channel": "phone", "hours": "Mon–Fri", "hours_es": "lunes a viernes"},
        content_type="application/json",
        **headers,
    )
    assert channel.status_code == 201, channel.content
    assert channel.json()["hours_es"] == "lunes a viernes"
