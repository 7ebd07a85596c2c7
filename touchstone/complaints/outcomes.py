"""Complaints per channel for the catalog's service page: how many arrived in the last 12 months."""

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.catalog.outcomes import ChannelMeasure
from touchstone.complaints.models import Case
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
    since = timezone.now() - dt.timedelta(days=365)
    rows = Case.objects.filter(received_at__gte=since).values("agency_id").annotate(n=Count("pk"))
    return OversightColumn(
        _("Complaints, last 12 months"), {row["agency_id"]: f"{row['n']:,}" for row in rows}
    )
