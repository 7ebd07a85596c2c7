"""Every select's empty choice reads in the page's language: Django 6.1's own label has no Spanish in its catalog."""

from touchstone.conftest import Personas


def test_a_selects_empty_choice_is_in_spanish_on_spanish_pages(personas: Personas) -> None:
    admin = personas.client(personas.admin_a)
    path = (
        f"/manage/{personas.agency_a.slug}/complaints/setup/rules/new/"  # service, topic and office selects
    )
    spanish = admin.get(f"/es{path}")
    assert spanish.status_code == 200
    page = spanish.content.decode()
    assert '<option value="" selected>- Seleccione una opción -</option>' in page
    assert "Select an option" not in page
    assert "- Select an option -" in admin.get(path).content.decode()
