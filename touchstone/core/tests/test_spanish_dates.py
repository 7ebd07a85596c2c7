"""Spanish dates name their months as Spanish does: no word of ours may stand in for Django's month names (a
column header "May" once translated as "Permisos" turned every date in May into "3 de Permisos de 2026")."""

import datetime as dt

from django.utils import translation
from django.utils.formats import date_format

from touchstone.conftest import Personas

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def test_every_month_of_a_spanish_date_is_named_in_spanish() -> None:
    with translation.override("es"):
        for month, name in enumerate(MONTHS, start=1):
            assert date_format(dt.date(2026, month, 3), "DATE_FORMAT") == f"3 de {name} de 2026"
            assert date_format(dt.date(2026, month, 3), "YEAR_MONTH_FORMAT") == f"{name} de 2026"


def test_the_tokens_column_still_reads_as_what_a_token_may_do(personas: Personas) -> None:
    page = (
        personas.client(personas.admin_a).get(f"/es/manage/{personas.agency_a.slug}/tokens/").content.decode()
    )
    assert '<th scope="col">Permisos</th>' in page
