"""The audit log reads as sentences: human labels, names instead of ids, links to what still exists."""

import re

from django.urls import reverse

from touchstone.complaints import services as complaints
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas
from touchstone.core import audit, services
from touchstone.core.models import Office

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def audit_page(personas: Personas, language: str = "en") -> str:
    client = personas.client(personas.admin_a)
    url = reverse("manage:audit", args=[personas.agency_a.slug])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_change_reads_as_a_sentence_with_the_choices_labels(personas: Personas) -> None:
    services.update_office(
        actor=personas.admin_a, office=personas.office_a, data={"kind": Office.Kind.CONTACT_CENTRE}
    )
    page = audit_page(personas)
    assert "changed kind from Field office to Contact center" in page
    edit = reverse("manage:office-edit", args=[personas.agency_a.slug, personas.office_a.pk])
    assert f'<a href="{edit}">“Alpha Field Office”</a>' in page
    assert "{" not in page.split("<main", 1)[1]
    assert "field_office" not in page


def test_a_linked_record_is_named_not_numbered(personas: Personas) -> None:
    case = file_case(personas)
    complaints.assign_case(
        actor=personas.admin_a,
        case=case,
        office=personas.office_a,
        handler=personas.handler_a,
        queue="general",
    )
    page = audit_page(personas)
    assert f"to {personas.handler_a}" in page or f"to {personas.office_a}" in page
    assert not UUID.search(page.split("<main", 1)[1])
    assert "[" not in page.split("<main", 1)[1].split("</main>")[0]


def test_a_removed_object_is_named_without_a_link(personas: Personas) -> None:
    office = services.create_office(
        actor=personas.admin_a, agency=personas.agency_a, data={"name": "Gone Office"}
    )
    office_id = office.pk
    Office.objects.filter(pk=office_id).delete()
    page = audit_page(personas)
    assert "“Gone Office”" in page
    assert reverse("manage:office-edit", args=[personas.agency_a.slug, office_id]) not in page


def test_structured_values_and_ids_are_never_shown(personas: Personas) -> None:
    audit.record(
        actor=personas.admin_a,
        action="analysis.weighting_started",
        target=personas.office_a,
        agency=personas.agency_a,
        changes={"margins": {"age": {"18-34": 0.3}}, "token": ["3f2b9c1e-8a1d-4c55-9f7e-2b1a0c9d8e7f", None]},
    )
    page = audit_page(personas).split("<main", 1)[1]
    assert "changed margins" in page
    assert "0.3" not in page
    assert not UUID.search(page)


def test_the_audit_log_reads_in_spanish(personas: Personas) -> None:
    services.update_office(
        actor=personas.admin_a, office=personas.office_a, data={"kind": Office.Kind.CONTACT_CENTRE}
    )
    response = personas.client(personas.admin_a).get(f"/es/manage/{personas.agency_a.slug}/audit/")
    assert "cambió" in response.content.decode()
