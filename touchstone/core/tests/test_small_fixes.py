"""Small things that add up: the right import kind preselected, names of kinds in the reader's language."""

from django.urls import reverse

from touchstone.conftest import Personas


def test_upload_transactions_opens_the_import_form_with_transactions_chosen(personas: Personas) -> None:
    client = personas.client(personas.analyst_a)
    standards = client.get(reverse("manage:standards:list", args=[personas.agency_a.slug])).content.decode()
    link = reverse("manage:imports", args=[personas.agency_a.slug]) + "?kind=transactions"
    assert f'href="{link}"' in standards
    form = client.get(link).content.decode()
    assert '<option value="transactions" selected>' in form


def test_an_unknown_kind_in_the_address_preselects_nothing(personas: Personas) -> None:
    client = personas.client(personas.analyst_a)
    form = client.get(
        reverse("manage:imports", args=[personas.agency_a.slug]) + "?kind=nope"
    ).content.decode()
    assert "selected>" not in form.split('name="kind"', 1)[1].split("</select>", 1)[0]


def test_kinds_of_import_are_named_in_spanish(personas: Personas) -> None:
    client = personas.client(personas.analyst_a)
    page = client.get("/es" + reverse("manage:imports", args=[personas.agency_a.slug]).removeprefix("/es"))
    html = page.content.decode()
    assert "Transacciones (CSV o Parquet)" in html
    assert "Transactions (CSV or Parquet)" not in html
