"""Workspace pages read in Spanish at /es/, found English by a walk through the demo as each role: words the
code left unmarked for translation, labels taken from fields with no name of their own, and a word of two
meanings that borrowed the other's Spanish."""

import datetime as dt

from django.utils import timezone

from touchstone.catalog.models import Segment, Service, ServiceSegment
from touchstone.complaints import services as complaints
from touchstone.complaints.models import Article
from touchstone.complaints.tests.factories import standard_policy
from touchstone.conftest import Personas
from touchstone.surveys.tests.factories import published_survey


def spanish(personas: Personas, user: object, path: str) -> str:
    response = personas.client(user).get(f"/es/manage/{personas.agency_a.slug}/{path}")  # type: ignore[arg-type]
    assert response.status_code == 200, path
    return response.content.decode()


def test_a_benchmarks_unit_of_hours_is_horas_while_a_channels_hours_stay_horario(personas: Personas) -> None:
    page = spanish(personas, personas.admin_a, "benchmarks/new/")
    assert '<option value="hours">Horas</option>' in page and "Horario" not in page
    service = Service.objects.create(agency=personas.agency_a, name="Renew", slug="renew", description="x")
    assert '<th scope="col">Horario</th>' in spanish(
        personas, personas.admin_a, f"catalog/services/{service.pk}/"
    )


def test_complaint_timeliness_names_each_clock_in_spanish(personas: Personas) -> None:
    standard_policy(personas)
    complaints.file_complaint(
        agency=personas.agency_a,
        data={"narrative": "Late again.", "contact_email": "d@example.com"},
        received_at=timezone.now() - dt.timedelta(days=3),
    )
    page = spanish(personas, personas.admin_a, "complaints/insight/")
    assert "Acuse de recibo a tiempo" in page and "Primera respuesta a tiempo" in page
    assert "in time" not in page


def test_the_import_kinds_are_described_in_spanish(personas: Personas) -> None:
    page = spanish(personas, personas.admin_a, "imports/")
    assert "Lista de empleados de Recursos Humanos (CSV)" in page
    assert "Employee roster" not in page and "XLSForm (ODK, Ona, KoboToolbox) into" not in page


def test_the_language_picker_names_languages_in_spanish_and_in_their_own(personas: Personas) -> None:
    survey = published_survey(personas.agency_a)
    page = spanish(personas, personas.analyst_a, f"surveys/{survey.pk}/languages/")
    assert '<option value="de">Alemán (Deutsch)</option>' in page
    assert '<option value="ar">Árabe (العربية)</option>' in page and "German" not in page
    english = personas.client(personas.analyst_a).get(
        f"/manage/{personas.agency_a.slug}/surveys/{survey.pk}/languages/"
    )
    assert '<option value="de">German (Deutsch)</option>' in english.content.decode()


def test_form_labels_from_fields_without_a_name_read_in_spanish(personas: Personas) -> None:
    service = Service.objects.create(agency=personas.agency_a, name="Renew", slug="renew", description="x")
    segment = Segment.objects.create(agency=personas.agency_a, name="Farmers")
    link = ServiceSegment.objects.create(service=service, segment=segment)
    page = spanish(personas, personas.admin_a, f"catalog/services/{service.pk}/segments/{link.pk}/")
    assert ">Segmento <abbr" in page and ">Segment <abbr" not in page


def test_a_public_answer_is_publica(personas: Personas) -> None:
    Article.objects.create(agency=personas.agency_a, title="How refunds work", body="Ten days.", public=True)
    assert "Pública" in spanish(personas, personas.admin_a, "complaints/setup/")


def test_the_ideas_board_filters_are_uswds_selects(personas: Personas) -> None:
    page = spanish(personas, personas.frontline_a, "voice/board/")
    assert 'class="usa-select" id="id_status"' in page or 'id="id_status" class="usa-select"' in page


def test_the_worklist_search_puts_its_label_above_a_full_width_box(personas: Personas) -> None:
    page = spanish(personas, personas.handler_a, "complaints/")
    assert 'class="usa-search' not in page  # USWDS's search lays label, box and button in one row
    assert 'class="usa-input flex-fill" id="case-search"' in page


def test_the_workspace_names_a_service_and_its_standard_as_the_agency_wrote_them_in_spanish(
    personas: Personas,
) -> None:
    from touchstone.standards.tests.helpers import make_standard

    service = Service.objects.create(
        agency=personas.agency_a,
        name="Renew a permit",
        name_es="Renovar un permiso",
        slug="renew",
        description="x",
    )
    make_standard(
        personas.agency_a, service, statement="We answer in 5 days.", statement_es="Respondemos en 5 días."
    )
    page = spanish(personas, personas.analyst_a, "standards/")
    assert "Respondemos en 5 días." in page and "Renovar un permiso" in page
    assert "We answer in 5 days." not in page and "Renew a permit" not in page.split("<main", 1)[1]
    english = personas.client(personas.analyst_a).get(f"/manage/{personas.agency_a.slug}/standards/")
    assert "We answer in 5 days." in english.content.decode() and "Renew a permit" in english.content.decode()


def test_a_select_of_services_lists_them_by_the_pages_language(personas: Personas) -> None:
    Service.objects.create(
        agency=personas.agency_a,
        name="Renew a permit",
        name_es="Renovar un permiso",
        slug="renew",
        description="x",
    )
    page = spanish(personas, personas.admin_a, "complaints/setup/rules/new/")
    assert ">Renovar un permiso</option>" in page and "Renew a permit" not in page
    english = personas.client(personas.admin_a).get(
        f"/manage/{personas.agency_a.slug}/complaints/setup/rules/new/"
    )
    assert ">Renew a permit</option>" in english.content.decode()


def test_a_select_of_topics_names_a_topic_and_its_parent_in_spanish(personas: Personas) -> None:
    from touchstone.complaints.models import Topic

    parent = Topic.objects.create(agency=personas.agency_a, name="Payments", name_es="Pagos")
    Topic.objects.create(
        agency=personas.agency_a, name="Late payment", name_es="Pago atrasado", parent=parent
    )
    page = spanish(personas, personas.admin_a, "complaints/setup/rules/new/")
    assert ">Pagos — Pago atrasado</option>" in page and "Late payment" not in page
