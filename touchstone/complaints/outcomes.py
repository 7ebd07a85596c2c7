"""Complaints per channel for the catalog's service page: how many arrived in the last 12 months."""

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.catalog.outcomes import ChannelMeasure
from touchstone.complaints.models import Case


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
