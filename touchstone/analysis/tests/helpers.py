"""Builders of analysed surveys for the analysis tests."""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from touchstone.surveys.models import Response, Survey

A11_KEYS = ("satisfaction", "trust", "effectiveness", "ease", "efficiency", "equity", "employee")


def clip(value: float) -> int:
    return max(1, min(5, round(value)))


def add_responses(
    survey: Survey,
    count: int,
    *,
    seed: int = 5,
    channel: str | Any = "website",
    start: dt.datetime | None = None,
    answers: Any = None,
    **fields: Any,
) -> list[Response]:
    """`count` complete responses; satisfaction is driven by ease (strongly) and efficiency (a little)."""
    rng = random.Random(seed)
    moment = start or timezone.make_aware(dt.datetime(2026, 1, 15, 10, 0))
    rows = []
    for index in range(count):
        if answers is not None:
            given = answers(rng, index)
        else:
            drivers = {key: clip(rng.gauss(3.5, 1.0)) for key in A11_KEYS[2:]}
            satisfaction = clip(0.9 * drivers["ease"] + 0.1 * drivers["efficiency"] + rng.gauss(0.2, 0.4))
            given = {"satisfaction": satisfaction, "trust": clip(rng.gauss(3.5, 1)), **drivers}
        rows.append(
            Response(
                survey=survey,
                version=survey.current_version,
                answers=given,
                channel=channel(rng, index) if callable(channel) else channel,
                submitted_at=moment + dt.timedelta(hours=index),
                **fields,
            )
        )
    return Response.objects.bulk_create(rows)
