"""USWDS's file input speaks the page's language in a real browser: its instructions, the heading once files are
chosen, and what a screen reader is told, on the Spanish complaint form."""

from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = {"name": "carta.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}
NOTE = {"name": "nota.txt", "mimeType": "text/plain", "buffer": b"Hola"}


def test_the_spanish_complaint_form_tells_about_its_files_in_spanish(
    personas: Personas, live_server: Any, page: Any
) -> None:
    page.goto(f"{live_server.url}/es/agencies/{personas.agency_a.slug}/complaints/new/")
    box = page.locator(".usa-file-input")
    field = page.locator("input[type=file]")
    assert box.locator(".usa-file-input__instructions").inner_text() in {
        "Arrastre los archivos aquí o elíjalos de una carpeta",  # a mouse
        "Elija archivos de una carpeta",  # a touch screen
    }
    assert field.get_attribute("aria-label") == box.locator(".usa-file-input__instructions").inner_text()
    assert box.locator(".usa-sr-only").text_content() == "No se ha seleccionado ningún archivo."
    assert_accessible(page)
    field.set_input_files([PDF])
    assert box.locator(".usa-file-input__preview-heading").inner_text().split("\n") == [
        "Archivo seleccionado",
        "Cambiar archivo",
    ]
    assert field.get_attribute("aria-label") == "Cambiar archivo"
    # USWDS writes the screen-reader message a second later.
    page.wait_for_function(
        "document.querySelector('.usa-file-input .usa-sr-only').textContent"
        " === 'Ha seleccionado el archivo: carta.pdf'"
    )
    field.set_input_files([PDF, NOTE])
    assert "2 archivos seleccionados" in box.locator(".usa-file-input__preview-heading").inner_text()
    page.wait_for_function(
        "document.querySelector('.usa-file-input .usa-sr-only').textContent"
        " === 'Ha seleccionado 2 archivos: carta.pdf, nota.txt'"
    )
    assert "Drag" not in box.inner_text() and "Change" not in box.inner_text()
    assert_accessible(page)
