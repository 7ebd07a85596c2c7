"""Standard results per channel for the catalog's service page: the latest period of each current standard."""

from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.catalog.outcomes import ALL_CHANNELS, ChannelMeasure
from touchstone.standards.models import PeriodResult, ServiceStandard


def standards_by_channel(service: Service) -> ChannelMeasure | None:
    standards = list(ServiceStandard.objects.filter(service=service, valid_until__isnull=True))
    if not standards:
        return None
    latest = {}
    for result in (
        PeriodResult.objects.filter(standard__in=standards)
        .exclude(performance=None)
        .order_by("standard_id", "-period_start")
    ):
        latest.setdefault(result.standard_id, result)
    values: dict[str, list[str]] = {}
    for standard in standards:
        result = latest.get(standard.pk)
        if result is None:
            continue
        if standard.target is None:
            text = _("%(performance).0f%% in %(period)s") % {
                "performance": 100 * (result.performance or 0),
                "period": result.label,
            }
        else:
            text = _("%(performance).0f%% in %(period)s against %(target).0f%% (%(verdict)s)") % {
                "performance": 100 * (result.performance or 0),
                "period": result.label,
                "target": 100 * standard.target,
                "verdict": result.get_verdict_display(),
            }
        values.setdefault(standard.channel or ALL_CHANNELS, []).append(text)
    if not values:
        return None
    return ChannelMeasure(_("Service standards, latest period"), {k: "; ".join(v) for k, v in values.items()})
