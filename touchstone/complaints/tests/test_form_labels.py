"""The complaint form's labels read as labels in both languages: each begins with a capital, like the others."""

import re

import pytest

from touchstone.conftest import Personas


def label_of(page: str, field: str) -> str:
    match = re.search(rf'<label class="usa-label" for="id_{field}">([^<]*)<', page)
    assert match, f"no label for {field}"
    return match.group(1).strip()


@pytest.mark.parametrize("who", ["public", "staff"])
def test_the_spanish_form_labels_the_zip_code_with_a_capital(personas: Personas, who: str) -> None:
    slug = personas.agency_a.slug
    if who == "public":
        page = personas.client(None).get(f"/es/agencies/{slug}/complaints/new/")
    else:
        page = personas.client(personas.handler_a).get(f"/es/manage/{slug}/complaints/new/")
    assert label_of(page.content.decode(), "postal_code") == "Código postal"


def test_the_english_form_still_says_zip_code(personas: Personas) -> None:
    page = personas.client(None).get(f"/agencies/{personas.agency_a.slug}/complaints/new/").content.decode()
    assert label_of(page, "postal_code") == "ZIP code"
