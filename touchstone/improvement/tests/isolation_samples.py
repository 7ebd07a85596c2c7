"""Objects of agency A for every id the improvement workspace URLs take."""

import datetime as dt
from typing import Any

from touchstone.improvement import services
from touchstone.improvement.models import FollowUp
from touchstone.improvement.tests.factories import answer, consenting_survey, service_of


def samples(personas: Any) -> dict[str, Any]:
    agency = personas.agency_a
    service = service_of(agency, "isolation")
    action = services.save_action(
        actor=None,
        agency=agency,
        service=service,
        data={
            "title": "Shorter form",
            "why": "Customers said the form was long.",
            "prompted_by": "survey",
            "owner": personas.analyst_a,
            "starts_on": dt.date(2026, 1, 1),
            "due_on": dt.date(2026, 3, 1),
            "measure_survey": "ease",
        },
    )
    rule = services.save_rule(
        actor=None,
        agency=agency,
        data={
            "service": service,
            "score_at_most": 2,
            "on_negative_comment": True,
            "owner": personas.handler_a,
        },
    )
    response = answer(consenting_survey(agency, service), satisfaction=1, may_we_contact="yes")
    services.open_follow_ups(agency)
    follow_up = FollowUp.objects.get(response=response)
    return {"action_id": action.pk, "follow_up_id": follow_up.pk, "follow_up_rule_id": rule.pk}
