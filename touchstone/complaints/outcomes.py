"""Complaints per channel for the catalog's service page: how many arrived in the last 12 months."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.catalog.outcomes import ChannelMeasure
from touchstone.complaints.models import Case
from touchstone.core import numbers
from touchstone.core.oversight import OversightColumn


def complaints_by_channel(service: Service) -> ChannelMeasure | None:
    since = timezone.now() - dt.timedelta(days=365)
    rows = (
        Case.objects.filter(service=service, received_at__gte=since).values("channel").annotate(n=Count("pk"))
    )
    values = {row["channel"]: str(row["n"]) for row in rows}
    if not values:
        return None
    return ChannelMeasure(
        _("Complaints, last 12 months"), values, note=_("by the channel the complaint came in")
    )


def complaints_by_agency() -> OversightColumn:
    """(received in the last 12 months,) per agency."""
    since = timezone.now() - dt.timedelta(days=365)
    rows = Case.objects.filter(received_at__gte=since).values("agency_id").annotate(n=Count("pk"))
    return OversightColumn(
        _("Complaints, last 12 months"),
        {row["agency_id"]: (row["n"],) for row in rows},
        show=lambda counts: numbers.count(counts[0]),
    )


def complaint_clocks_by_agency() -> OversightColumn:
    """(open past a deadline, open) per agency: how many open complaints have breached a promised time."""
    now = timezone.now()
    rows = (
        Case.objects.filter(state__in=Case.OPEN_STATES)
        .values("agency_id")
        .annotate(open=Count("pk"), late=Count("pk", filter=Q(next_breach_at__lt=now)))
    )
    return OversightColumn(
        _("Open complaints past a deadline"),
        {row["agency_id"]: (row["late"], row["open"]) for row in rows},
        show=_late_text,
    )


def _late_text(counts: tuple[int, ...]) -> str | None:
    late, open_cases = counts
    return _("%(late)s of %(open)s open (%(share)s)") % {
        "late": numbers.count(late),
        "open": numbers.count(open_cases),
        "share": numbers.percent(late / open_cases if open_cases else 0),
    }
