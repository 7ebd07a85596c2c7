"""Measuring standards: business days, versions, control-chart signals, error budgets and burn-rate alerts."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from touchstone.conftest import Personas
from touchstone.core import fiscal
from touchstone.core.importing import run_import
from touchstone.core.models import Agency
from touchstone.standards import measurement, selectors, services, store
from touchstone.standards.models import BurnRateAlert, PeriodResult, ServiceStandard
from touchstone.standards.tests.helpers import held, make_service, make_standard, write_transactions

EASTERN = ZoneInfo("America/New_York")


def test_business_days_skip_the_weekend_and_a_federal_holiday() -> None:
    # Friday 2024-06-28 to Monday 2024-07-08 spans a weekend, Independence Day and another weekend.
    start, end = dt.date(2024, 6, 28), dt.date(2024, 7, 8)
    assert measurement.business_ordinal(end) - measurement.business_ordinal(start) == 5
    assert fiscal.business_days_between(start, end) == 5


def test_a_transaction_over_a_holiday_is_measured_in_business_days(
    personas: Personas, tmp_path: Path
) -> None:
    service = make_service(personas.agency_a)
    standard = make_standard(personas.agency_a, service, threshold=2.0)
    # Wednesday July 3 to Monday July 8: July 4 is a holiday, then a weekend, so 2 business days (5th, 8th).
    path = write_transactions(
        tmp_path / "t.csv", [["h1", "refunds", "phone", "2024-07-03 10:00", "2024-07-08 10:00", "", "", ""]]
    )
    run_import("transactions", path, agency=personas.agency_a)
    row = held(personas.agency_a, "h1")
    assert (row["elapsed_days"], row["elapsed_business_days"]) == (5, 2)
    assert row["elapsed_business_minutes"] == 2 * 8 * 60
    assert PeriodResult.objects.get(standard=standard).verdict == "met"


def test_changing_a_standard_keeps_the_old_version_for_the_old_periods(
    personas: Personas, tmp_path: Path
) -> None:
    service = make_service(personas.agency_a)
    first = make_standard(personas.agency_a, service, threshold=5.0)
    rows = []
    # Each takes Monday to Friday, 4 business days: meets a 5-day standard, misses a 3-day one.
    for month, monday in ((1, 8), (2, 5), (3, 4)):
        start, end = f"2024-0{month}-{monday:02d} 09:00", f"2024-0{month}-{monday + 4:02d} 09:00"
        rows.append([f"v{month}", "refunds", "phone", start, end, "", "", ""])
    run_import("transactions", write_transactions(tmp_path / "t.csv", rows), agency=personas.agency_a)
    second = services.revise_standard(
        actor=personas.analyst_a,
        standard=first,
        data={
            "service": service,
            "channel": "",
            "statement": "We refund within 3 business days.",
            "standard_type": "timeliness",
            "measure": "business_days",
            "threshold": 3.0,
            "target": 0.8,
            "period": "month",
            "valid_from": dt.date(2024, 3, 1),
            "owner": None,
        },
    )
    first.refresh_from_db()
    assert first.valid_until == dt.date(2024, 2, 29) and second.version == 2
    verdicts = {r.label: (r.standard.version, r.verdict) for r in selectors.results_of(second)}
    assert verdicts == {"2024-01": (1, "met"), "2024-02": (1, "met"), "2024-03": (2, "not_met")}
    assert ServiceStandard.objects.filter(lineage=first.lineage).count() == 2


def test_a_version_must_start_on_the_first_day_of_a_period(personas: Personas) -> None:
    service = make_service(personas.agency_a)
    with pytest.raises(Exception, match="first day of a period"):
        make_standard(personas.agency_a, service, valid_from=dt.date(2024, 1, 15))


def test_a_standard_judges_a_result_against_its_target(personas: Personas) -> None:
    standard = make_standard(personas.agency_a, make_service(personas.agency_a))
    assert standard.judge(80, 100) == "met"
    assert standard.judge(79, 100) == "not_met"
    assert standard.judge(0, 0) == "no_data"


def test_the_control_chart_flags_a_slipping_standard() -> None:
    labels = [f"m{i}" for i in range(14)]
    met = [950] * 10 + [900, 880, 860, 840]
    chart = measurement.control_chart(labels, met, [1000] * 14, 0.9)
    flagged = {row.label: row.signals for row in chart.signals}
    assert "1 point beyond 3 sigma" in flagged["m12"] and "1 point beyond 3 sigma" in flagged["m13"]
    steady = measurement.control_chart(labels, [950] * 14, [1000] * 14, 0.9)
    assert not steady.signals


def test_eight_in_a_row_on_one_side_is_flagged() -> None:
    met = [900, 905, 895, 900] + [910] * 8 + [880] * 4
    chart = measurement.control_chart([str(i) for i in range(16)], met, [1000] * 16, 0.9)
    assert any("8 in a row on one side" in row.signals for row in chart.rows)


def _transactions(
    service_id: int, agency_id: int, now: dt.datetime, count: int, late: int, prefix: str
) -> None:
    rows = []
    for i in range(count):
        ended = now - dt.timedelta(minutes=1 + i % 4)
        started = ended - dt.timedelta(hours=30 if i < late else 1)
        rows.append(
            {
                "external_id": f"{prefix}{i}",
                "service_id": service_id,
                "channel": "phone",
                "started_at": started,
                "ended_at": ended,
            }
        )
    store.write_records(Agency.objects.get(pk=agency_id), rows)


def test_a_fast_burning_standard_emails_its_owner_once(
    personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    service = make_service(personas.agency_a)
    standard = make_standard(
        personas.agency_a,
        service,
        owner=personas.analyst_a,
        measure="calendar_hours",
        threshold=24.0,
        target=0.99,
        valid_from=dt.date(2025, 1, 1),
    )
    now = dt.datetime(2025, 3, 12, 15, 0, tzinfo=EASTERN)
    _transactions(service.pk, personas.agency_a.pk, now, 100, 40, "burn")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        alerts = services.check_burn_rates(personas.agency_a, now=now)
        again = services.check_burn_rates(personas.agency_a, now=now + dt.timedelta(minutes=1))
    assert {a.long_window for a in alerts} == {"1h", "6h", "3d"}
    assert again == []
    assert BurnRateAlert.objects.filter(standard=standard).count() == 3
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == [personas.analyst_a.email]
    assert "error budget" in mail.outbox[0].body


def test_a_standard_within_its_budget_raises_no_alert(personas: Personas) -> None:
    service = make_service(personas.agency_a)
    make_standard(
        personas.agency_a,
        service,
        measure="calendar_hours",
        threshold=24.0,
        target=0.9,
        valid_from=dt.date(2025, 1, 1),
    )
    now = dt.datetime(2025, 3, 12, 15, 0, tzinfo=EASTERN)
    _transactions(service.pk, personas.agency_a.pk, now, 100, 5, "fine")
    assert services.check_burn_rates(personas.agency_a, now=now) == []
    assert not mail.outbox


def test_an_open_transaction_past_its_threshold_counts_as_missed(personas: Personas, tmp_path: Path) -> None:
    service = make_service(personas.agency_a)
    standard = make_standard(personas.agency_a, service, measure="calendar_days", threshold=3.0)
    rows = [
        ["o1", "refunds", "phone", "2024-03-04 09:00", "", "", "", ""],
        ["o2", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""],
    ]
    run_import("transactions", write_transactions(tmp_path / "t.csv", rows), agency=personas.agency_a)
    result = PeriodResult.objects.get(standard=standard)
    assert (result.volume_met, result.total) == (1, 2)
