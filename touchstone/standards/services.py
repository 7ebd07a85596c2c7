"""Every write of the standards capability: standards and their versions, transactions, results and alerts."""

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.core import audit, numbers, staff_mail
from touchstone.core.models import Agency, User
from touchstone.standards import measurement, store
from touchstone.standards.models import (
    ELAPSED_MEASURES,
    WINDOW_DURATION,
    BudgetingMethod,
    BurnRateAlert,
    Measure,
    PeriodResult,
    ServiceStandard,
    Verdict,
)

STANDARD_FIELDS = [
    "service",
    "channel",
    "statement",
    "statement_es",
    "standard_type",
    "measure",
    "threshold",
    "survey_measure",
    "target",
    "period",
    "valid_from",
    "owner",
]
# How the target is judged, as an OpenSLO objective says it; a revision through the form keeps them.
WINDOW_FIELDS = [
    "threshold_op",
    "window_duration",
    "window_is_rolling",
    "budgeting_method",
    "timeslice_target",
    "timeslice_window",
]
MeasuredMonths = dict[int, set[dt.date]]  # service id -> first days of the months touched


def _check_standard(data: dict[str, Any], agency: Agency) -> None:
    errors: dict[str, str] = {}
    service = data.get("service")
    if service is not None and service.agency_id != agency.pk:
        errors["service"] = _("Choose one of your agency's services.")
    measure = data.get("measure")
    if measure in measurement_elapsed() and data.get("threshold") in (None, ""):
        errors["threshold"] = _("Give the most days or hours a transaction may take.")
    if data.get("threshold") is not None and data["threshold"] < 0:
        errors["threshold"] = _("The threshold cannot be negative.")
    duration = data.get("window_duration") or ""
    if duration and not WINDOW_DURATION.match(duration):
        errors["window_duration"] = _(
            "Write the time window as a number and a unit, for example 28d, 2w or 1M."
        )
    slice_window = data.get("timeslice_window") or ""
    if data.get("budgeting_method", BudgetingMethod.OCCURRENCES) != BudgetingMethod.OCCURRENCES and not (
        WINDOW_DURATION.match(slice_window)
    ):
        errors["timeslice_window"] = _(
            "A time-sliced budget needs the length of a slice, for example 1m or 5m."
        )
    valid_from = data.get("valid_from")
    period = data.get("period")
    if valid_from and period and not measurement.is_period_start(period, valid_from):
        start = measurement.period_of(period, valid_from).start
        errors["valid_from"] = _(
            "A standard takes effect on the first day of a period, for example %(day)s."
        ) % {"day": start.isoformat()}
    if errors:
        raise ValidationError(errors)


def measurement_elapsed() -> set[str]:
    return set(ELAPSED_MEASURES)


@transaction.atomic
def define_standard(
    *, actor: User | None, agency: Agency, data: dict[str, Any], actor_label: str = "", measure: bool = True
) -> ServiceStandard:
    """A new standard (version 1), measured at once on the transactions already held."""
    _check_standard(data, agency)
    standard = ServiceStandard(agency=agency)
    audit.save_with_audit(
        standard,
        {
            field: data[field]
            for field in [*STANDARD_FIELDS, *WINDOW_FIELDS, "external_id", "source"]
            if field in data
        },
        actor=actor,
        agency=agency,
        actor_label=actor_label,
    )
    if measure:
        measure_standard(standard)
        # Measured on transactions already held: its alerts must agree with the error budget it shows.
        check_burn_rates(agency, [standard.service_id])
    return standard


@transaction.atomic
def revise_standard(
    *, actor: User | None, standard: ServiceStandard, data: dict[str, Any], actor_label: str = ""
) -> ServiceStandard:
    """A new version from its effective date on; the old one keeps the periods before it."""
    current = ServiceStandard.objects.select_for_update().get(pk=standard.pk)
    if not current.is_current:
        raise ValidationError({"valid_from": _("Only the current version of a standard can be changed.")})
    _check_standard(data, current.agency)
    valid_from: dt.date = data["valid_from"]
    if valid_from <= current.valid_from:
        raise ValidationError(
            {
                "valid_from": _("A new version takes effect after the current one did (%(day)s).")
                % {"day": current.valid_from.isoformat()}
            }
        )
    current.valid_until = valid_from - dt.timedelta(days=1)
    current.save(update_fields=["valid_until"])
    # Periods from the new effective date on are judged by the new version.
    current.results.filter(period_start__gte=valid_from, source=PeriodResult.Source.MEASURED).delete()
    revised = ServiceStandard(
        agency=current.agency,
        lineage=current.lineage,
        version=current.version + 1,
        external_id=current.external_id,
        source=current.source,
    )
    audit.save_with_audit(
        revised,
        {
            **{field: getattr(current, field) for field in WINDOW_FIELDS},
            **{field: data[field] for field in [*STANDARD_FIELDS, *WINDOW_FIELDS] if field in data},
        },
        actor=actor,
        agency=current.agency,
        actor_label=actor_label,
    )
    audit.record(
        actor=actor,
        actor_label=actor_label,
        action="superseded",
        target=current,
        agency=current.agency,
        changes={
            "valid_until": [None, str(current.valid_until)],
            "version": [current.version, revised.version],
        },
    )
    measure_standard(revised)
    check_burn_rates(revised.agency, [revised.service_id])
    return revised


@transaction.atomic
def import_standard(
    *, actor: User | None, agency: Agency, data: dict[str, Any], actor_label: str = "", lineage: Any = None
) -> tuple[ServiceStandard, str]:
    """A standard from another tool, matched to the current one of the same lineage or external id.

    New: version 1. Unchanged: left alone. Changed from a later effective date: a new version. Changed from the
    same date: corrected in place and measured again. Returns the standard and which of "created", "unchanged",
    "revised" or "updated" happened.
    """
    current = ServiceStandard.objects.filter(agency=agency, valid_until__isnull=True)
    match = current.filter(lineage=lineage).first() if lineage else None
    if match is None and data.get("external_id"):
        match = current.filter(external_id=data["external_id"]).order_by("pk").first()
    if match is None:
        return define_standard(actor=actor, agency=agency, data=data, actor_label=actor_label), "created"
    # Matched by lineage, it keeps its own external id (our export names a standard without one by its number).
    same = [*STANDARD_FIELDS, *WINDOW_FIELDS, *([] if match.lineage == lineage else ["external_id"])]
    fields = [field for field in same if field in data]
    if all(getattr(match, field) == data[field] for field in fields):
        return match, "unchanged"
    if data["valid_from"] > match.valid_from:
        return revise_standard(actor=actor, standard=match, data=data, actor_label=actor_label), "revised"
    _check_standard(data, agency)
    audit.save_with_audit(
        match, {field: data[field] for field in fields}, actor=actor, agency=agency, actor_label=actor_label
    )
    match.results.filter(source=PeriodResult.Source.MEASURED).delete()
    measure_standard(match)
    check_burn_rates(agency, [match.service_id])
    return match, "updated"


# --- measuring ----------------------------------------------------------------------------------------------------


def _spans(standard: ServiceStandard, months: Iterable[dt.date]) -> list[measurement.PeriodSpan]:
    return [
        span for span in measurement.periods_touching(standard.period, months) if standard.governs(span.start)
    ]


def _measure(
    agency: Agency,
    wanted: Sequence[tuple[ServiceStandard, list[measurement.PeriodSpan]]],
    now: dt.datetime,
    batch: store.Batch | None = None,
) -> list[PeriodResult]:
    """Count every standard's periods in one scan of the store (only those periods' months), then save them."""
    wanted = [(standard, spans) for standard, spans in wanted if spans]
    months = {month for _standard, spans in wanted for span in spans for month in span.months}
    counts = store.monthly_counts(agency, [standard for standard, _spans in wanted], months, now, batch=batch)
    results = []
    for standard, spans in wanted:
        monthly = counts.get(standard.pk, {})
        for span in spans:
            met = sum(monthly.get(month, (0, 0))[0] for month in span.months)
            total = sum(monthly.get(month, (0, 0))[1] for month in span.months)
            results.append(
                save_result(
                    standard,
                    span,
                    met,
                    total,
                    source=PeriodResult.Source.MEASURED,
                    today=now.astimezone(measurement.local_zone()).date(),
                )
            )
    return results


def measure_standard(
    standard: ServiceStandard, months: Iterable[dt.date] | None = None, now: dt.datetime | None = None
) -> list[PeriodResult]:
    """Measure the periods of this version that contain `months` (all months with data when None)."""
    if not standard.is_measured_from_transactions:
        return []
    if months is None:
        months = [
            month
            for month in store.months_held(standard.agency, standard.service_id)
            if month >= standard.valid_from
            and (standard.valid_until is None or month <= standard.valid_until)
        ]
    return _measure(standard.agency, [(standard, _spans(standard, months))], now or timezone.now())


def save_result(
    standard: ServiceStandard,
    span: measurement.PeriodSpan,
    met: int | None,
    total: int | None,
    *,
    source: str,
    published_performance: float | None = None,
    published_met: str = "",
    discrepancy_note: str = "",
    today: dt.date | None = None,
) -> PeriodResult:
    """Save one period's counts; a period that has not ended (on `today`) is shown but not yet judged."""
    valid = met is not None and total is not None and 0 <= met <= total
    complete = span.end < (today or timezone.localdate())
    scored = measurement.score(met, total) if valid and met is not None and total is not None else None
    result, _created = PeriodResult.objects.update_or_create(
        standard=standard,
        period_start=span.start,
        defaults={
            "period_end": span.end,
            "label": span.label,
            "volume_met": met,
            "total": total,
            "performance": scored.performance if scored else None,
            "ci_low": scored.ci_low if scored else None,
            "ci_high": scored.ci_high if scored else None,
            "verdict": (standard.judge(met, total) if complete or not total else Verdict.IN_PROGRESS)
            if valid
            else Verdict.NO_DATA,
            "source": source,
            "published_performance": published_performance,
            "published_met": published_met,
            "discrepancy": bool(discrepancy_note),
            "discrepancy_note": discrepancy_note[:300],
        },
    )
    return result


def judge_completed_periods(now: dt.datetime | None = None) -> int:
    """Judge each period shown as in progress that has since ended: measured ones are counted again (a transaction
    still open at the end may have become a miss), imported ones judged on their published counts."""
    now = now or timezone.now()
    today = now.astimezone(measurement.local_zone()).date()
    ended = PeriodResult.objects.filter(verdict=Verdict.IN_PROGRESS, period_end__lt=today).select_related(
        "standard", "standard__agency"
    )
    wanted: dict[Agency, dict[ServiceStandard, list[measurement.PeriodSpan]]] = {}
    judged = 0
    for result in ended:
        standard = result.standard
        span = measurement.PeriodSpan(result.period_start, result.period_end, result.label)
        if result.source == PeriodResult.Source.MEASURED:
            wanted.setdefault(standard.agency, {}).setdefault(standard, []).append(span)
            continue
        result.verdict = standard.judge(result.volume_met, result.total)
        result.save(update_fields=["verdict", "measured_at"])
        judged += 1
    for agency, spans in wanted.items():
        with transaction.atomic():
            judged += len(_measure(agency, list(spans.items()), now))
    return judged


def measurable_standards(agency: Agency) -> list[ServiceStandard]:
    """Every version of the agency's standards that transactions are measured against."""
    return list(
        ServiceStandard.objects.filter(
            agency=agency,
            measure__in=measurement_elapsed() | {Measure.OUTCOME},
            budgeting_method=BudgetingMethod.OCCURRENCES,
        )
    )


def measure_touched(
    agency: Agency, touched: MeasuredMonths, now: dt.datetime | None = None, batch: store.Batch | None = None
) -> int:
    """Re-measure only the periods that hold the months new transactions fell in."""
    standards = [s for s in measurable_standards(agency) if s.service_id in touched]
    wanted = [(standard, _spans(standard, touched[standard.service_id])) for standard in standards]
    return len(_measure(agency, wanted, now or timezone.now(), batch=batch))


# --- transactions ---------------------------------------------------------------------------------------------------


@transaction.atomic
def record_transactions(
    *,
    agency: Agency,
    records: Sequence[dict[str, Any]],
    actor_label: str = "",
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Transactions from the API, already validated: replaced by external id, then measured and checked."""
    committed = store.write_records(
        agency,
        [
            {
                "external_id": record["external_id"],
                "service_id": record["service"].pk,
                "channel": record["channel"],
                "office_id": record["office"].pk if record.get("office") else None,
                "started_at": record["started_at"],
                "ended_at": record.get("ended_at"),
                "outcome": record.get("outcome"),
                "segment": record.get("segment") or "",
            }
            for record in records
        ],
    )
    measured = measure_touched(agency, committed.touched, now=now)
    alerts = check_burn_rates(agency, list(committed.touched), now=now)
    return {
        "received": len(records),
        "created": committed.created,
        "updated": committed.replaced,
        "results": measured,
        "alerts": len(alerts),
    }


# --- burn-rate alerts -------------------------------------------------------------------------------------------


def check_burn_rates(
    agency: Agency, service_ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> list[BurnRateAlert]:
    """Raise an alert for each window pair burning faster than its threshold; tell the owner by email.

    A pair already alerted within its long window is not raised again, so the owner gets one email per episode.
    """
    now = now or timezone.now()
    current = ServiceStandard.objects.filter(
        agency=agency,
        valid_until__isnull=True,
        measure__in=measurement_elapsed() | {Measure.OUTCOME},
        budgeting_method=BudgetingMethod.OCCURRENCES,
    ).select_related("owner", "service")
    if service_ids is not None:
        current = current.filter(service_id__in=list(service_ids))
    standards = [standard for standard in current if standard.target is not None and standard.error_budget]
    counts = store.window_counts(agency, standards, now, measurement.WINDOWS)
    raised = []
    for standard in standards:
        assert standard.target is not None
        for check in measurement.burn_windows(counts[standard.pk], standard.target):
            if not check.firing:
                continue
            recent = BurnRateAlert.objects.filter(
                standard__lineage=standard.lineage,
                long_window=check.long_window,
                raised_at__gt=now - measurement.WINDOWS[check.long_window],
            )
            if recent.exists():
                continue
            alert = BurnRateAlert.objects.create(
                agency=agency,
                standard=standard,
                raised_at=now,
                long_window=check.long_window,
                short_window=check.short_window,
                threshold=check.threshold,
                long_rate=check.long_rate or 0,
                short_rate=check.short_rate or 0,
                notified=standard.owner.email if standard.owner and standard.owner.email else "",
            )
            audit.record(
                actor=None,
                actor_label="burn-rate check",
                action="raised alert",
                target=alert,
                agency=agency,
                changes={"long_rate": [None, round(alert.long_rate, 2)], "window": [None, check.long_window]},
            )
            if alert.notified:
                transaction.on_commit(partial(notify_owner, alert, alert.notified))
            raised.append(alert)
    return raised


def notify_owner(alert: BurnRateAlert, to: str) -> None:
    """The standard's owner, in their language when the address is a member's."""
    standard = alert.standard

    def write() -> tuple[str, str]:
        subject = _("Standard at risk: %(statement)s") % {"statement": standard.display_statement[:80]}
        body = _(
            "The standard “%(statement)s” (%(service)s) is spending its error budget %(rate)s times faster than "
            "it can afford over the last %(long)s, and %(short)s times over the last %(short_window)s.\n\n"
            "At this pace the period's target of %(target)s will be missed. Look at the standard's results in "
            "Touchstone."
        ) % {
            "statement": standard.display_statement,
            "service": standard.service.display_name,
            "rate": numbers.decimal(alert.long_rate),
            "long": alert.long_window,
            "short": numbers.decimal(alert.short_rate),
            "short_window": alert.short_window,
            "target": numbers.percent(standard.target or 0),
        }
        return subject, body

    staff_mail.send_to_staff([to], standard.agency_id, write)
