"""Improvement actions: what will change, why, who and when, and the measure it should move; once done, its effect
is measured against the trend before it and said plainly."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from touchstone.conftest import Personas
from touchstone.core.fiscal import month_start
from touchstone.improvement import selectors, services
from touchstone.improvement.models import ServiceMonth
from touchstone.improvement.tests.factories import service_of


def action_data(personas: Personas, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Plain-language letters",
        "why": "Ease fell and customers said letters were confusing.",
        "prompted_by": "survey",
        "owner": personas.analyst_a,
        "starts_on": dt.date(2025, 1, 1),
        "due_on": dt.date(2025, 6, 1),
        "measure_survey": "ease",
        **extra,
    }


def monthly_ease(service: Any, jump_at: int, jump: float, months: int = 36) -> list[dt.date]:
    """Ease answered by 400 customers a month: 60% agreeing, `jump` more from month `jump_at` on."""
    first = selectors.months_ending(month_start(timezone.localdate()), months)
    ServiceMonth.objects.bulk_create(
        ServiceMonth(
            agency_id=service.agency_id,
            service=service,
            month=month,
            source="survey",
            key="ease",
            count=400,
            hits=int(400 * (0.60 + (jump if i >= jump_at else 0.0) + (0.01 if i % 2 else -0.01))),
        )
        for i, month in enumerate(first)
    )
    return first


def test_an_action_that_moved_its_measure_is_said_to_have_worked_with_an_interval(personas: Personas) -> None:
    service = service_of(personas.agency_a)
    months = monthly_ease(service, 20, 0.12)
    done = months[19] - dt.timedelta(days=1)
    action = services.save_action(
        actor=personas.analyst_a,
        agency=personas.agency_a,
        service=service,
        data=action_data(
            personas, status="done", done_on=done, starts_on=done - dt.timedelta(days=60), due_on=done
        ),
    )
    page = selectors.service_page(personas.agency_a, service, personas.viewer_a)
    (found,) = page.actions
    assert found.action == action
    assert found.effect is not None and found.effect.verdict == "worked"
    assert found.effect.ci_low < 0.12 < found.effect.ci_high
    html = personas.client(personas.viewer_a).get(
        f"/manage/{personas.agency_a.slug}/improvement/actions/{action.pk}/"
    )
    assert "It worked" in html.content.decode()


def test_an_action_done_last_month_is_too_early_to_tell(personas: Personas) -> None:
    service = service_of(personas.agency_a)
    months = monthly_ease(service, 40, 0.0)
    done = months[-2] - dt.timedelta(days=1)
    services.save_action(
        actor=None,
        agency=personas.agency_a,
        service=service,
        data=action_data(
            personas, status="done", done_on=done, starts_on=done - dt.timedelta(days=30), due_on=done
        ),
    )
    (found,) = selectors.service_page(personas.agency_a, service, personas.viewer_a).actions
    assert (
        found.effect is not None and found.effect.verdict == "too_early" and found.effect.periods_needed >= 1
    )


def test_an_action_names_its_measure_and_a_done_action_its_date(personas: Personas) -> None:
    service = service_of(personas.agency_a)
    with pytest.raises(ValidationError) as no_measure:
        services.save_action(
            actor=None,
            agency=personas.agency_a,
            service=service,
            data=action_data(personas, measure_survey=""),
        )
    assert "measure_survey" in no_measure.value.error_dict
    with pytest.raises(ValidationError) as no_date:
        services.save_action(
            actor=None, agency=personas.agency_a, service=service, data=action_data(personas, status="done")
        )
    assert "done_on" in no_date.value.error_dict
    with pytest.raises(ValidationError):
        services.save_action(
            actor=None,
            agency=personas.agency_a,
            service=service,
            data=action_data(personas, prompted_by="barrier"),
        )


def test_an_analyst_adds_an_action_from_the_service_page(personas: Personas) -> None:
    service = service_of(personas.agency_a)
    client = personas.client(personas.analyst_a)
    base = f"/manage/{personas.agency_a.slug}/improvement"
    assert "New improvement action" in client.get(f"{base}/services/{service.pk}/").content.decode()
    posted = client.post(
        f"{base}/services/{service.pk}/actions/new/",
        {
            "title": "Shorter form",
            "why": "Ease is falling.",
            "prompted_by": "survey",
            "owner": personas.analyst_a.pk,
            "starts_on": "2026-01-05",
            "due_on": "2026-03-31",
            "status": "planned",
            "measure_survey": "ease",
        },
    )
    assert posted.status_code == 302
    assert "Shorter form" in client.get(f"{base}/services/{service.pk}/").content.decode()
