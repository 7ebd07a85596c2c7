"""Standard results per channel for the catalog's service page: the latest period of each current standard."""

from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.catalog.outcomes import ALL_CHANNELS, ChannelMeasure
from touchstone.core import numbers
from touchstone.core.oversight import OversightColumn
from touchstone.standards.models import PeriodResult, ServiceStandard, Verdict


def standards_by_channel(service: Service) -> ChannelMeasure | None:
    standards = list(ServiceStandard.objects.filter(service=service, valid_until__isnull=True))
    if not standards:
        return None
    latest: dict[int, PeriodResult] = {}
    for result in (
        PeriodResult.objects.filter(standard__in=standards)
        .exclude(performance=None)
        .exclude(verdict=Verdict.IN_PROGRESS)
        .order_by("standard_id", "-period_start")
    ):
        latest.setdefault(result.standard_id, result)
    values: dict[str, list[str]] = {}
    for standard in standards:
        found = latest.get(standard.pk)
        if found is None:
            continue
        result = found
        if standard.target is None:
            text = _("%(performance)s in %(period)s") % {
                "performance": numbers.percent(result.performance or 0),
                "period": result.label,
            }
        else:
            text = _("%(performance)s in %(period)s against %(target)s (%(verdict)s)") % {
                "performance": numbers.percent(result.performance or 0),
                "period": result.label,
                "target": numbers.percent(standard.target),
                "verdict": result.get_verdict_display(),
            }
        values.setdefault(standard.channel or ALL_CHANNELS, []).append(text)
    if not values:
        return None
    return ChannelMeasure(_("Service standards, latest period"), {k: "; ".join(v) for k, v in values.items()})


def standard_signals(service: Service) -> list[str]:
    """Each current standard's latest result, and whether its control chart shows the process slipping."""
    from touchstone.standards.selectors import control_chart_of, summaries

    standards = list(ServiceStandard.objects.filter(service=service, valid_until__isnull=True))
    texts = []
    for summary in summaries(standards, recent=2):
        latest = summary.latest
        if latest is None or latest.performance is None:
            continue
        chart = control_chart_of(summary.standard)
        recent_signal = bool(chart.rows) and bool(chart.rows[-1].signals)
        text = _("%(statement)s %(performance)s in %(period)s (%(verdict)s)") % {
            "statement": summary.standard.statement,
            "performance": numbers.percent(latest.performance),
            "period": latest.label,
            "verdict": latest.get_verdict_display(),
        }
        if recent_signal:
            text += " " + _("— the control chart signals a change")
        elif summary.trend == "down":
            text += " " + _("— down from the period before")
        texts.append(text)
    return texts


def standards_met_by_agency() -> OversightColumn:
    """(met, judged) per agency: current standards met in their latest complete period."""
    from touchstone.standards.selectors import government_wide

    counts = {agency.pk: (rollup.met, rollup.measured) for agency, rollup in government_wide()}
    return OversightColumn(_("Service standards met, latest period"), counts, show=_standards_met_text)


def _standards_met_text(counts: tuple[int, ...]) -> str | None:
    met, measured = counts
    if not measured:
        return None
    return _("%(met)s of %(measured)s met (%(share)s)") % {
        "met": met,
        "measured": measured,
        "share": numbers.percent(met / measured),
    }
