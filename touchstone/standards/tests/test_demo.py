"""The demo tells the standards story: one kept, one slipping (the chart catches it), one recovered."""

from touchstone.core.demo import load_demo
from touchstone.core.models import Agency
from touchstone.standards import selectors, store


def test_the_demo_shows_a_kept_a_slipping_and_a_recovered_standard(db: object) -> None:
    load_demo()
    agency = Agency.objects.get(abbreviation="BA")
    by_slug = {s.service.slug: s for s in selectors.standards_of(agency)}
    kept, slipping, recovered = (
        by_slug["replace-card"],
        by_slug["apply-retirement"],
        by_slug["disability-appeal"],
    )
    summaries = {s.standard.pk: s for s in selectors.summaries([kept, slipping, recovered], recent=24)}
    assert all(r.verdict == "met" for r in summaries[kept.pk].recent)
    assert summaries[slipping.pk].latest.verdict == "not_met"
    assert selectors.control_chart_of(slipping).rows[-1].signals
    recovered_results = summaries[recovered.pk].recent
    assert any(r.verdict == "not_met" for r in recovered_results) and recovered_results[-1].verdict == "met"
    charts = {standard.pk: selectors.control_chart_of(standard) for standard in (kept, slipping, recovered)}
    assert len(charts[kept.pk].signals) <= 2
    for chart in charts.values():
        assert len(chart.rows) == 24 and len(chart.signals) <= 8, (
            "a chart where most points signal is no help"
        )
    count = store.transaction_count(agency)
    assert count > 40_000
    load_demo()
    assert store.transaction_count(agency) == count


def test_the_demo_status_check_has_a_latency_and_an_availability_objective_over_rolling_windows(
    db: object,
) -> None:
    load_demo()
    agency = Agency.objects.get(abbreviation="BA")
    latency, availability = sorted(
        (s for s in selectors.standards_of(agency) if s.service.slug == "check-status"),
        key=lambda s: s.measure,
    )
    assert (latency.measure, latency.threshold, latency.threshold_op) == ("milliseconds", 800.0, "lt")
    assert (availability.standard_type, availability.target) == ("availability", 0.995)
    for standard in (latency, availability):
        window = selectors.own_window_result(standard)
        assert window is not None and window.total > 0
        assert window.share is not None and window.share >= standard.target
        judged = [r for r in selectors.summaries([standard], recent=3)[0].recent if r.verdict != "pending"]
        assert judged[-1].verdict == "met"
