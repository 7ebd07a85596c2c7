"""Satisfaction per channel for the catalog's service page: share answering 4 or 5 to the A-11 satisfaction item."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.catalog.outcomes import ChannelMeasure
from touchstone.core import numbers
from touchstone.core.oversight import OversightColumn
from touchstone.stats.proportions import wilson_interval
from touchstone.surveys.models import Response, Survey


def satisfaction_by_channel(service: Service) -> ChannelMeasure | None:
    since = timezone.now() - dt.timedelta(days=365)
    rows = (
        Response.objects.filter(
            service=service,
            status=Response.Status.COMPLETE,
            is_spam=False,
            submitted_at__gte=since,
            answers__has_key="satisfaction",
        )
        .exclude(survey__audience=Survey.Audience.EMPLOYEES)
        .values("channel")
        .annotate(total=Count("pk"), satisfied=Count("pk", filter=Q(answers__satisfaction__gte=4)))
    )
    minimum = Survey.objects.filter(service=service).values_list("minimum_to_show", flat=True).first() or 30
    values: dict[str, str] = {}
    for row in rows:
        if not row["channel"]:
            continue
        if row["total"] < minimum:
            values[row["channel"]] = _("fewer than %(n)s answers") % {"n": minimum}
            continue
        interval = wilson_interval(row["satisfied"], row["total"])
        low, high = interval.ci_low or 0.0, interval.ci_high or 0.0
        values[row["channel"]] = _("%(share)s (95%% interval %(low)s to %(high)s, n=%(n)s)") % {
            "share": numbers.percent(row["satisfied"] / row["total"]),
            "low": numbers.percent(low),
            "high": numbers.percent(high),
            "n": numbers.count(row["total"]),
        }
    if not values:
        return None
    return ChannelMeasure(_("Satisfied (A-11, last 12 months)"), values)


def satisfaction_by_agency() -> OversightColumn:
    """(satisfied, answered) per agency: 4-5 on the A-11 satisfaction item over the last year, employees aside."""
    since = timezone.now() - dt.timedelta(days=365)
    rows = (
        Response.objects.filter(
            status=Response.Status.COMPLETE,
            is_spam=False,
            submitted_at__gte=since,
            answers__has_key="satisfaction",
        )
        .exclude(survey__audience=Survey.Audience.EMPLOYEES)
        .values("survey__agency_id")
        .annotate(total=Count("pk"), satisfied=Count("pk", filter=Q(answers__satisfaction__gte=4)))
    )
    counts = {row["survey__agency_id"]: (row["satisfied"], row["total"]) for row in rows}
    return OversightColumn(_("Satisfied (A-11, last 12 months)"), counts, show=_satisfied_text)


OVERSIGHT_MINIMUM_ANSWERS = 30


def _satisfied_text(counts: tuple[int, ...]) -> str | None:
    satisfied, total = counts
    if total < OVERSIGHT_MINIMUM_ANSWERS:
        return _("fewer than %(n)s answers") % {"n": OVERSIGHT_MINIMUM_ANSWERS} if total else None
    return _("%(share)s (n=%(n)s)") % {"share": numbers.percent(satisfied / total), "n": numbers.count(total)}
