"""Builders for improvement tests."""

import datetime as dt
from typing import Any

from touchstone.catalog.models import Service
from touchstone.core.models import Agency
from touchstone.surveys import services as surveys
from touchstone.surveys.models import Question, Response, Survey
from touchstone.surveys.tests.factories import published_survey

GOOD = {m: 4 for m in ("satisfaction", "trust", "effectiveness", "ease", "efficiency", "equity", "employee")}


def service_of(agency: Agency, slug: str = "renew") -> Service:
    return Service.objects.create(agency=agency, name=f"Renew a {slug}", slug=slug, description="Renew it.")


def consenting_survey(agency: Agency, service: Service) -> Survey:
    """The A-11 survey of a service, asking whether the customer may be contacted and what did not go well."""
    survey = published_survey(agency, title=f"How did we do? {service.name}", service=service)
    for key, kind, text, measures in (
        ("may_we_contact", Question.Kind.YES_NO, "May we contact you about your answers?", "contact_consent"),
        ("went_badly", Question.Kind.LONG_TEXT, "What did not go well?", "went_badly"),
        ("contact_email", Question.Kind.EMAIL, "Your email address", ""),
    ):
        surveys.save_question(
            actor=None, survey=survey, data={"key": key, "kind": kind, "text": text, "measures": measures}
        )
    surveys.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    return survey


def answer(survey: Survey, **answers: Any) -> Response:
    response, _created = surveys.record_response(
        survey=survey, raw={**GOOD, **answers}, context={"service": survey.service}
    )
    return response


def days_ago(days: int) -> dt.datetime:
    from django.utils import timezone

    return timezone.now() - dt.timedelta(days=days)
