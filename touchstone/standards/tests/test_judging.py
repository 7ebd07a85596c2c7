"""Only complete periods are judged, and the alerts agree with the error budget the page shows."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from touchstone.conftest import Personas
from touchstone.core.models import Agency
from touchstone.standards import services, store
from touchstone.standards.models import BurnRateAlert, Measure, PeriodResult, ServiceStandard
from touchstone.standards.tests.helpers import make_service

EASTERN = ZoneInfo("America/New_York")
NOW = dt.datetime(2025, 3, 20, 15, 0, tzinfo=EASTERN)


def _new_standard(agency: Agency) -> ServiceStandard:
    """Cards within 24 hours, 90% of the time: defined without measuring, so the test chooses `now`."""
    return services.define_standard(
        actor=None,
        agency=agency,
        measure=False,
        data={
            "service": make_service(agency),
            "channel": "",
            "statement": "We answer within 24 hours, 90% of the time.",
            "standard_type": "timeliness",
            "measure": "calendar_hours",
            "threshold": 24.0,
            "target": 0.9,
            "period": "month",
            "valid_from": dt.date(2025, 3, 1),
        },
    )


def _eleven_on_time_and_three_open_past_the_threshold(standard: ServiceStandard) -> None:
    rows = []
    for i in range(14):
        if i < 11:
            ended = NOW - dt.timedelta(hours=1 + i % 3)
            rows.append((f"t{i}", ended - dt.timedelta(hours=2), ended))
        else:
            rows.append((f"t{i}", NOW - dt.timedelta(hours=29), None))  # overdue since 5 hours ago
    store.write_records(
        standard.agency,
        [
            {
                "external_id": external_id,
                "service_id": standard.service_id,
                "channel": "phone",
                "started_at": started,
                "ended_at": ended,
            }
            for external_id, started, ended in rows
        ],
    )


def test_the_month_in_progress_is_shown_but_not_judged(personas: Personas) -> None:
    standard = _new_standard(personas.agency_a)
    _eleven_on_time_and_three_open_past_the_threshold(standard)
    services.measure_standard(standard, now=NOW)
    result = PeriodResult.objects.get(standard=standard)
    assert (result.label, result.volume_met, result.total) == ("2025-03", 11, 14)
    assert result.verdict == "pending" and result.in_progress


def test_a_new_standard_with_no_complete_period_says_so(personas: Personas) -> None:
    standard = _new_standard(personas.agency_a)
    _eleven_on_time_and_three_open_past_the_threshold(standard)
    services.measure_standard(standard, now=NOW)
    client = personas.client(personas.analyst_a)
    listing = client.get(reverse("manage:standards:list", args=[personas.agency_a.slug])).content.decode()
    public = client.get(reverse("portal_standards:agency", args=[personas.agency_a.slug])).content.decode()
    detail = client.get(
        reverse("manage:standards:detail", args=[personas.agency_a.slug, standard.pk])
    ).content.decode()
    for html in (listing, public, detail):
        assert "No complete period yet" in html and "Not met" not in html
    assert "first judged when it ends" in public


def test_a_period_is_judged_once_it_has_ended(personas: Personas) -> None:
    standard = _new_standard(personas.agency_a)
    _eleven_on_time_and_three_open_past_the_threshold(standard)
    services.measure_standard(standard, now=NOW)
    assert services.judge_completed_periods(now=dt.datetime(2025, 3, 31, 23, 0, tzinfo=EASTERN)) == 0
    assert services.judge_completed_periods(now=dt.datetime(2025, 4, 1, 9, 0, tzinfo=EASTERN)) == 1
    result = PeriodResult.objects.get(standard=standard)
    assert result.verdict == "not_met" and result.total == 14


def test_open_work_past_its_threshold_raises_the_alert_its_spent_budget_calls_for(personas: Personas) -> None:
    """The defect: 'Error budget spent 214%' beside 'No alerts', because alerts counted only ended work."""
    standard = _new_standard(personas.agency_a)
    _eleven_on_time_and_three_open_past_the_threshold(standard)
    services.measure_standard(standard, now=NOW)
    result = PeriodResult.objects.get(standard=standard)
    assert result.budget_spent is not None and round(result.budget_spent, 2) == 2.14
    alerts = services.check_burn_rates(personas.agency_a, now=NOW)
    assert [(a.long_window, a.short_window) for a in alerts] == [("3d", "6h")]
    assert round(alerts[0].long_rate, 2) == 2.14
    detail = (
        personas.client(personas.analyst_a)
        .get(reverse("manage:standards:detail", args=[personas.agency_a.slug, standard.pk]))
        .content.decode()
    )
    assert "214% so far" in detail and "No alerts." not in detail
    assert BurnRateAlert.objects.filter(standard=standard).count() == 1


def test_defining_a_standard_on_transactions_already_held_checks_its_alerts(personas: Personas) -> None:
    service = make_service(personas.agency_a)
    now = dt.datetime.now(tz=EASTERN)
    store.write_records(
        personas.agency_a,
        [
            {
                "external_id": f"late{i}",
                "service_id": service.pk,
                "channel": "phone",
                "started_at": now - dt.timedelta(hours=3),
                "ended_at": now - dt.timedelta(minutes=10),
            }
            for i in range(20)
        ],
    )
    standard = services.define_standard(
        actor=None,
        agency=personas.agency_a,
        data={
            "service": service,
            "channel": "",
            "statement": "We answer within an hour, 90% of the time.",
            "standard_type": "timeliness",
            "measure": "calendar_hours",
            "threshold": 1.0,
            "target": 0.9,
            "period": "month",
            "valid_from": dt.date(2025, 1, 1),
        },
    )
    assert BurnRateAlert.objects.filter(standard=standard).exists()


def test_a_time_limit_reads_as_a_person_says_it_in_either_language(personas: Personas) -> None:
    from django.utils import translation

    standard = ServiceStandard(agency=personas.agency_a, measure=Measure.CALENDAR_HOURS, threshold=1 / 3)
    assert standard.threshold_display == "20 minutes"
    standard.measure, standard.threshold = Measure.BUSINESS_DAYS, 2.5
    assert standard.threshold_display == "2.5 business days"
    with translation.override("es"):
        assert standard.threshold_display == "2,5 días hábiles"
        standard.measure, standard.threshold = Measure.CALENDAR_HOURS, 0.5
        assert standard.threshold_display == "30 minutos"
