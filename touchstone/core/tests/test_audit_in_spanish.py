"""The audit log reads as Spanish sentences on Spanish pages: every action a service records has words, the kind
of record and its fields are named in Spanish, and an action ending in a value (`moved to published`) names the
value as the record's own choices do."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core import audit
from touchstone.core.audit_display import ACTIONS, INBOX_ACTIONS, MARKED_RESPONSES, MOVED_TO, SET_INVITATIONS
from touchstone.surveys.tests.factories import published_survey

RECORDED = re.compile(r'action=(f?)"([^"]+)"')


def spanish_audit(personas: Personas) -> str:
    client = personas.client(personas.admin_a)
    page = client.get("/es" + reverse("manage:audit", args=[personas.agency_a.slug]))
    return page.content.decode()


def test_every_action_a_service_records_has_words_in_the_log() -> None:
    """Read from the code, so an action added tomorrow without words fails here rather than on a Spanish page."""
    missing = []
    for path in Path(settings.BASE_DIR, "touchstone").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "audit" not in source and "record(" not in source:
            continue
        for formatted, action in RECORDED.findall(source):
            if formatted:
                known = any(action.startswith(p) for p in (MOVED_TO, MARKED_RESPONSES, SET_INVITATIONS))
            else:
                known = action in ACTIONS
            if not known and "record(" in source and action not in {"append", "extend", "store_true"}:
                missing.append(f"{path.name}: {action}")
    assert not missing, "\n".join(sorted(missing))
    assert set(INBOX_ACTIONS) == {"spam", "not_spam", "flag", "unflag", "archive", "restore"}


def test_a_survey_marked_and_moved_reads_in_spanish(personas: Personas) -> None:
    survey = published_survey(personas.agency_a, title="How did we do?")
    audit.record(
        actor=personas.admin_a,
        action="marked responses spam",
        target=survey,
        agency=personas.agency_a,
        changes={"responses": [None, 3]},
    )
    audit.record(
        actor=personas.admin_a,
        action="added a language",
        target=survey,
        agency=personas.agency_a,
        changes={"texts in fr": [0, 12]},
    )
    page = spanish_audit(personas)
    assert "Marcó respuestas como spam en encuesta" in page and "fijó respuestas en 3" in page
    assert "Agregó un idioma a encuesta" in page and "textos en Francés de 0 a 12" in page
    assert "survey" not in page.split("<main", 1)[1].lower().replace("surveys/", "")


def test_a_document_moved_to_a_state_names_the_state_in_spanish(personas: Personas) -> None:
    from touchstone.reports.models import ServicePlan

    plan = ServicePlan.objects.create(agency=personas.agency_a, fiscal_year=2026)
    audit.record(
        actor=personas.admin_a,
        action="moved to published",
        target=plan,
        agency=personas.agency_a,
        changes={
            "state": ["approved", "published"],
            "published_at": [None, "2026-11-30T14:57:04.557905+00:00"],
        },
    )
    page = spanish_audit(personas)
    assert "fijó fecha de publicación en 30 de noviembre de 2026" in page and "T14:57" not in page
    assert "Pasó a «Publicado»:" in page or "Pasó a «Publicada»:" in page
    assert "moved to" not in page.lower()
