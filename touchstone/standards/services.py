"""Every write of the standards capability: standards and their versions, transactions, results and alerts."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from touchstone.core import audit
from touchstone.core.models import Agency, User
from touchstone.standards import measurement
from touchstone.standards.models import (
    BurnRateAlert,
    Measure,
    PeriodResult,
    ServiceStandard,
    Transaction,
)

STANDARD_FIELDS = [
    "service",
    "channel",
    "statement",
    "standard_type",
    "measure",
    "threshold",
    "survey_measure",
    "target",
    "period",
    "valid_from",
    "owner",
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
    return {Measure.CALENDAR_DAYS, Measure.BUSINESS_DAYS, Measure.CALENDAR_HOURS, Measure.BUSINESS_HOURS}


@transaction.atomic
def define_standard(
    *, actor: User | None, agency: Agency, data: dict[str, Any], actor_label: str = "", measure: bool = True
) -> ServiceStandard:
    """A new standard (version 1), measured at once on the transactions already held."""
    _check_standard(data, agency)
    standard = ServiceStandard(agency=agency)
    audit.save_with_audit(
        standard,
        {field: data[field] for field in [*STANDARD_FIELDS, "external_id", "source"] if field in data},
        actor=actor,
        agency=agency,
        actor_label=actor_label,
    )
    if measure:
        measure_standard(standard)
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
        {field: data[field] for field in STANDARD_FIELDS if field in data},
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
    return revised


# --- measuring ----------------------------------------------------------------------------------------------------


def _monthly_counts(
    standard: ServiceStandard, months: Sequence[dt.date], now: dt.datetime, **extra: Any
) -> dict[Any, tuple[int, int]]:
    """{month (or group): (met, total)} by one aggregate over the months asked for; no other period is read."""
    rows = Transaction.objects.filter(service_id=standard.service_id, started_month__in=list(months), **extra)
    if standard.channel:
        rows = rows.filter(channel=standard.channel)
    counted = measurement.counted_condition(standard.measure, standard.threshold, now)
    met = measurement.met_condition(standard.measure, standard.threshold) & counted
    aggregated = rows.values("started_month").annotate(
        total=Count("id", filter=counted), met=Count("id", filter=met)
    )
    return {row["started_month"]: (row["met"], row["total"]) for row in aggregated}


def measure_standard(
    standard: ServiceStandard, months: Iterable[dt.date] | None = None, now: dt.datetime | None = None
) -> list[PeriodResult]:
    """Measure the periods of this version that contain `months` (all months with data when None)."""
    if standard.measure not in (measurement_elapsed() | {Measure.OUTCOME}):
        return []
    now = now or timezone.now()
    if months is None:
        rows = Transaction.objects.filter(
            service_id=standard.service_id, started_month__gte=standard.valid_from
        )
        if standard.valid_until:
            rows = rows.filter(started_month__lte=standard.valid_until)
        months = rows.values_list("started_month", flat=True).distinct().order_by()
    spans = [
        span for span in measurement.periods_touching(standard.period, months) if standard.governs(span.start)
    ]
    if not spans:
        return []
    counts = _monthly_counts(standard, [m for span in spans for m in span.months], now)
    results = []
    for span in spans:
        met = sum(counts.get(month, (0, 0))[0] for month in span.months)
        total = sum(counts.get(month, (0, 0))[1] for month in span.months)
        result = save_result(standard, span, met, total, source=PeriodResult.Source.MEASURED)
        results.append(result)
    return results


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
) -> PeriodResult:
    valid = met is not None and total is not None and 0 <= met <= total
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
            "verdict": standard.judge(met, total) if valid else "no_data",
            "source": source,
            "published_performance": published_performance,
            "published_met": published_met,
            "discrepancy": bool(discrepancy_note),
            "discrepancy_note": discrepancy_note[:300],
        },
    )
    return result


def measure_touched(agency: Agency, touched: MeasuredMonths, now: dt.datetime | None = None) -> int:
    """Re-measure only the periods that hold the months new transactions fell in."""
    count = 0
    standards = ServiceStandard.objects.filter(agency=agency, service_id__in=list(touched))
    for standard in standards:
        count += len(measure_standard(standard, touched[standard.service_id], now=now))
    return count


# --- transactions ---------------------------------------------------------------------------------------------------

TRANSACTION_COLUMNS = [
    "agency_id",
    "service_id",
    "channel",
    "office_id",
    "external_id",
    "started_at",
    "ended_at",
    "outcome",
    "segment",
    "started_month",
    "elapsed_seconds",
    "elapsed_days",
    "elapsed_business_days",
    "elapsed_business_minutes",
]


def upsert_sql() -> str:
    """One INSERT that replaces a transaction already held under the same external id (SQLite and PostgreSQL)."""
    table = Transaction._meta.db_table
    columns = ", ".join(TRANSACTION_COLUMNS)
    marks = ", ".join(["%s"] * len(TRANSACTION_COLUMNS))
    updates = ", ".join(
        f"{column} = excluded.{column}"
        for column in TRANSACTION_COLUMNS
        if column not in {"agency_id", "external_id"}
    )
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608  (names are the model's own)
        f"ON CONFLICT (agency_id, external_id) DO UPDATE SET {updates}"
    )


STAGING_TABLE = "standards_transaction_staging"


def _merge_staging(cursor: Any) -> None:
    table = Transaction._meta.db_table
    columns = ", ".join(TRANSACTION_COLUMNS)
    updates = ", ".join(
        f"{column} = excluded.{column}"
        for column in TRANSACTION_COLUMNS
        if column not in {"agency_id", "external_id"}
    )
    # The importer has refused repeated external ids, so one row per key reaches the merge.
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {STAGING_TABLE} "  # noqa: S608 (the model's names)
        f"ON CONFLICT (agency_id, external_id) DO UPDATE SET {updates}"
    )


def _staging(cursor: Any) -> None:
    table = Transaction._meta.db_table
    columns = ", ".join(TRANSACTION_COLUMNS)
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {STAGING_TABLE} ON COMMIT DROP AS "  # noqa: S608  (the model's names)
        f"SELECT {columns} FROM {table} WITH NO DATA"
    )
    cursor.execute(f"TRUNCATE {STAGING_TABLE}")


def copy_transaction_file(path: Any, progress: Any = None) -> None:
    """PostgreSQL: COPY a CSV of rows in TRANSACTION_COLUMNS order into staging, then merge by external id."""
    columns = ", ".join(TRANSACTION_COLUMNS)
    with connection.cursor() as cursor:
        _staging(cursor)
        sent = 0
        with (
            cursor.cursor.copy(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN (FORMAT csv)") as copy,  # type: ignore[attr-defined]
            open(path, "rb") as handle,
        ):
            for block in iter(lambda: handle.read(4 * 1024 * 1024), b""):
                copy.write(block)
                sent += block.count(b"\n")
                if progress is not None:
                    progress(sent)
        _merge_staging(cursor)


def write_transaction_rows(rows: Sequence[Sequence[Any]]) -> None:
    """Write rows in TRANSACTION_COLUMNS order; the caller holds the transaction.

    On PostgreSQL the rows are streamed with COPY into a temporary table and merged with one INSERT ... ON
    CONFLICT, instead of one upsert statement per row.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(upsert_sql(), rows)
        return
    columns = ", ".join(TRANSACTION_COLUMNS)
    with connection.cursor() as cursor:
        _staging(cursor)
        with cursor.cursor.copy(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        _merge_staging(cursor)


@transaction.atomic
def record_transactions(
    *,
    agency: Agency,
    records: Sequence[dict[str, Any]],
    actor_label: str = "",
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Transactions from the API, already validated: upserted by external id, then measured and checked."""
    touched: MeasuredMonths = defaultdict(set)
    existing = set(
        Transaction.objects.filter(
            agency=agency, external_id__in=[r["external_id"] for r in records]
        ).values_list("external_id", flat=True)
    )
    rows = []
    for record in records:
        counted = measurement.elapsed(record["started_at"], record.get("ended_at"))
        touched[record["service"].pk].add(counted.started_month)
        rows.append(
            [
                agency.pk,
                record["service"].pk,
                record["channel"],
                record["office"].pk if record.get("office") else None,
                record["external_id"],
                connection.ops.adapt_datetimefield_value(record["started_at"]),
                connection.ops.adapt_datetimefield_value(record.get("ended_at")),
                record.get("outcome"),
                record.get("segment") or "",
                counted.started_month,
                counted.seconds,
                counted.days,
                counted.business_days,
                counted.business_minutes,
            ]
        )
    write_transaction_rows(rows)
    measured = measure_touched(agency, touched, now=now)
    alerts = check_burn_rates(agency, list(touched), now=now)
    created = len({r["external_id"] for r in records} - existing)
    return {
        "received": len(records),
        "created": created,
        "updated": len(records) - created,
        "results": measured,
        "alerts": len(alerts),
    }


# --- burn-rate alerts -------------------------------------------------------------------------------------------


def window_counts(standard: ServiceStandard, now: dt.datetime) -> dict[str, tuple[int, int]]:
    """{window: (misses, total)} of transactions decided (ended, or answered yes/no) within each window."""
    longest = max(measurement.WINDOWS.values())
    rows = Transaction.objects.filter(
        service_id=standard.service_id, ended_at__gt=now - longest, ended_at__lte=now
    )
    if standard.channel:
        rows = rows.filter(channel=standard.channel)
    counted = measurement.counted_condition(standard.measure, standard.threshold, now) & Q(
        ended_at__isnull=False
    )
    missed = counted & ~measurement.met_condition(standard.measure, standard.threshold)
    aggregates = {}
    for name, span in measurement.WINDOWS.items():
        since = now - span
        aggregates[f"t_{name}"] = Count("id", filter=counted & Q(ended_at__gt=since))
        aggregates[f"m_{name}"] = Count("id", filter=missed & Q(ended_at__gt=since))
    values = rows.aggregate(**aggregates)
    return {name: (values[f"m_{name}"], values[f"t_{name}"]) for name in measurement.WINDOWS}


def check_burn_rates(
    agency: Agency, service_ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> list[BurnRateAlert]:
    """Raise an alert for each window pair burning faster than its threshold; tell the owner by email.

    A pair already alerted within its long window is not raised again, so the owner gets one email per episode.
    """
    now = now or timezone.now()
    standards = ServiceStandard.objects.filter(
        agency=agency, valid_until__isnull=True, measure__in=measurement_elapsed() | {Measure.OUTCOME}
    ).select_related("owner", "service")
    if service_ids is not None:
        standards = standards.filter(service_id__in=list(service_ids))
    raised = []
    for standard in standards:
        if standard.target is None or not standard.error_budget:
            continue
        for check in measurement.burn_windows(window_counts(standard, now), standard.target):
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
    standard = alert.standard
    subject = _("Standard at risk: %(statement)s") % {"statement": standard.statement[:80]}
    body = _(
        "The standard “%(statement)s” (%(service)s) is spending its error budget %(rate).1f times faster than it "
        "can afford over the last %(long)s, and %(short).1f times over the last %(short_window)s.\n\n"
        "At this pace the period's target of %(target).0f%% will be missed. Look at the standard's results in "
        "Touchstone."
    ) % {
        "statement": standard.statement,
        "service": standard.service.name,
        "rate": alert.long_rate,
        "long": alert.long_window,
        "short": alert.short_rate,
        "short_window": alert.short_window,
        "target": (standard.target or 0) * 100,
    }
    send_mail(subject, body, None, [to])
