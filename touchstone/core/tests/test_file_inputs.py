"""Every file input in the product carries, in the page's language, the texts USWDS's component writes around
it: the instructions, the heading once a file is chosen, the screen-reader messages and the wrong-type error."""

import html
import re

import pytest

from touchstone.conftest import Personas


def file_input_of(page: str) -> dict[str, str]:
    """The data attributes of the page's one file input."""
    [tag] = re.findall(r'<input type="file"[^>]*>', page)
    return {name: html.unescape(value) for name, value in re.findall(r'(data-[\w-]+)="([^"]*)"', tag)}


SPANISH_MULTIPLE = {
    "data-errormessage": "Error: este tipo de archivo no es válido.",
    "data-drag-text": "Arrastre los archivos aquí o",
    "data-choose-text": "elíjalos de una carpeta",
    "data-choose-text-alone": "Elija archivos de una carpeta",
    "data-selected-one": "Archivo seleccionado",
    "data-selected-many": "{count} archivos seleccionados",
    "data-change-one": "Cambiar archivo",
    "data-change-many": "Cambiar archivos",
    "data-status-none": "No se ha seleccionado ningún archivo.",
    "data-status-one": "Ha seleccionado el archivo: {name}",
    "data-status-many": "Ha seleccionado {count} archivos: {names}",
}


@pytest.mark.parametrize("who", ["public", "staff"])
def test_the_spanish_complaint_forms_give_the_file_input_its_texts_in_spanish(
    personas: Personas, who: str
) -> None:
    slug = personas.agency_a.slug
    if who == "public":
        page = personas.client(None).get(f"/es/agencies/{slug}/complaints/new/")
    else:
        page = personas.client(personas.handler_a).get(f"/es/manage/{slug}/complaints/new/")
    assert page.status_code == 200
    assert file_input_of(page.content.decode()) == SPANISH_MULTIPLE


def test_the_spanish_import_page_gives_its_single_file_input_its_texts_in_spanish(personas: Personas) -> None:
    page = personas.client(personas.admin_a).get(f"/es/manage/{personas.agency_a.slug}/imports/")
    texts = file_input_of(page.content.decode())
    assert texts["data-drag-text"] == "Arrastre el archivo aquí o"
    assert texts["data-choose-text"] == "elíjalo de una carpeta"
    assert texts["data-choose-text-alone"] == "Elija un archivo de una carpeta"
    assert texts["data-status-none"] == "No se ha seleccionado ningún archivo."
    assert texts["data-errormessage"] == "Error: este tipo de archivo no es válido."


def test_the_english_page_gives_the_texts_uswds_would_write(personas: Personas) -> None:
    page = personas.client(personas.admin_a).get(f"/manage/{personas.agency_a.slug}/imports/")
    texts = file_input_of(page.content.decode())
    assert texts["data-drag-text"] == "Drag file here or"
    assert texts["data-choose-text"] == "choose from folder"
    assert texts["data-status-many"] == "You have selected {count} files: {names}"
