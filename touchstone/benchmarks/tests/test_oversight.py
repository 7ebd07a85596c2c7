"""The overseer sees agencies side by side on the A-11 drivers, standards kept, complaint timeliness and benchmark
gaps, with noise groups; a manager sees the scorecard of their own area (the services whose standards they own)."""

import datetime as dt
import re
from typing import Any

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from touchstone.analysis.tasks import refresh_survey_analysis
from touchstone.analysis.tests.helpers import add_responses
from touchstone.benchmarks import selectors, services
from touchstone.benchmarks.models import AgencySummary
from touchstone.benchmarks.tests.test_comparisons import peer, standard_with_result
from touchstone.complaints.models import Case
from touchstone.complaints.tests.factories import file_case, standard_policy
from touchstone.conftest import Personas
from touchstone.core.models import Agency, Office
from touchstone.surveys.tests.factories import published_survey

pytestmark = pytest.mark.django_db


def surveyed(agency: Agency, count: int, seed: int) -> None:
    survey = published_survey(agency, minimum_to_show=5)
    add_responses(survey, count, seed=seed)
    refresh_survey_analysis.enqueue(survey.pk)  # the analysis task keeps the agency's summary up to date


def test_the_analysis_task_keeps_the_agencys_pooled_a11_figures(personas: Personas) -> None:
    surveyed(personas.agency_a, 60, seed=1)
    summary = AgencySummary.objects.get(agency=personas.agency_a)
    from touchstone.analysis import selectors as analysis

    survey_rows = {
        row["measure"]: row
        for survey in analysis.surveys_to_analyse(personas.agency_a)
        for row in analysis.analysis_of(survey).data["a11"]
    }
    assert set(summary.a11) == {
        "satisfaction",
        "trust",
        "effectiveness",
        "ease",
        "efficiency",
        "equity",
        "employee",
    }
    assert summary.a11["ease"]["value"] == pytest.approx(survey_rows["ease"]["value"])
    assert summary.a11["ease"]["n"] == 60 and summary.a11["ease"]["se"] > 0


def test_two_surveys_pool_by_answers() -> None:
    pooled = {"value": (0.8 * 100 + 0.5 * 300) / 400}
    figures = [(0.8, 0.04, 100), (0.5, 0.03, 300)]
    total = sum(n for *_rest, n in figures)
    se = sum((n / total) ** 2 * s**2 for _v, s, n in figures) ** 0.5
    # The same arithmetic as selectors.pooled_a11, spelled out: an answer-weighted mean and its standard error.
    assert pooled["value"] == pytest.approx(0.575)
    assert se == pytest.approx(((0.25 * 0.04) ** 2 + (0.75 * 0.03) ** 2) ** 0.5)


def test_complaints_closed_on_time_are_counted_for_the_overseer(personas: Personas) -> None:
    standard_policy(personas)
    cases = [file_case(personas, narrative=f"Case {i}") for i in range(4)]
    assert all(case.policy_id for case in cases)
    on_time, late = cases[:3], cases[3:]
    Case.objects.filter(pk__in=[c.pk for c in on_time]).update(
        closed_at=F("received_at") + dt.timedelta(hours=2), state="closed"
    )
    Case.objects.filter(pk__in=[c.pk for c in late]).update(
        closed_at=F("received_at") + dt.timedelta(hours=300), state="closed"
    )
    summary = services.refresh_agency_summary(personas.agency_a)
    assert (summary.complaints_met, summary.complaints_decided) == (3, 4)
    row = next(r for r in selectors.oversight_comparison().rows if r.agency == personas.agency_a)
    cell = row.cells["complaints"]
    assert cell is not None and cell.value == pytest.approx(0.75) and cell.low < 0.75 < cell.high


def test_benchmark_gaps_are_counted_for_the_overseer(personas: Personas) -> None:
    a = personas.agency_a
    behind = standard_with_result(a, "Permits", 700, 1000, personas.office_a, 1000)
    ahead = standard_with_result(a, "Licences", 950, 1000, personas.office_a, 1000)
    services.choose(actor=None, agency=a, benchmark=peer(a, "high", 0.9, 0.01), service=behind.service)
    services.choose(actor=None, agency=a, benchmark=peer(a, "low", 0.8, 0.01), service=ahead.service)
    summary = services.refresh_agency_summary(a)
    assert (summary.gaps_behind, summary.gaps_ahead, summary.gaps_within_noise) == (1, 1, 0)


def test_the_overseer_page_shows_every_column_with_noise_groups(personas: Personas) -> None:
    third = Agency.objects.create(name="Commission of Gamma", abbreviation="CCC", slug="ccc")
    standard_with_result(personas.agency_a, "Cards", 900, 1000, personas.office_a, 100)
    standard_with_result(personas.agency_b, "Boats", 895, 1000, personas.office_b, 100)
    standard_with_result(third, "Guns", 600, 1000, Office.objects.create(agency=third, name="G"), 100)
    for agency in (personas.agency_a, personas.agency_b, third):
        services.refresh_agency_summary(agency)
    AgencySummary.objects.filter(agency=personas.agency_a).update(
        a11={"trust": {"value": 0.80, "se": 0.01, "n": 1600, "surveys": 1}}
    )
    AgencySummary.objects.filter(agency=personas.agency_b).update(
        a11={"trust": {"value": 0.79, "se": 0.01, "n": 1700, "surveys": 1}}
    )
    AgencySummary.objects.filter(agency=third).update(
        a11={"trust": {"value": 0.55, "se": 0.02, "n": 600, "surveys": 2}}
    )
    rows = {r.agency.abbreviation: r for r in selectors.oversight_comparison().rows}
    trust = {key: row.cells["trust"].letters for key, row in rows.items()}  # type: ignore[union-attr]
    assert trust == {"AAA": "a", "BBB": "a", "CCC": "b"}
    standards = {key: row.cells["standards"].letters for key, row in rows.items()}  # type: ignore[union-attr]
    assert standards == {"AAA": "a", "BBB": "a", "CCC": "b"}
    page = personas.client(personas.overseer).get(reverse("manage:oversight-benchmarks"))
    html = page.content.decode()
    assert page.status_code == 200
    for heading in ("Trust", "Ease", "Employee helpfulness", "Complaints closed on time", "Benchmark gaps"):
        assert heading in html
    assert "compact letter display" in html and "80.0%" in html and "within noise" in html
    assert personas.client(personas.admin_a).get(reverse("manage:oversight-benchmarks")).status_code == 403


@pytest.mark.parametrize("agencies", [2, 12])
def test_the_overseer_page_costs_the_same_queries_for_any_number_of_agencies(
    personas: Personas, agencies: int, django_assert_num_queries: object
) -> None:
    for i in range(agencies):
        agency = Agency.objects.create(name=f"Agency {i:02d}", abbreviation=f"Q{i:02d}", slug=f"q{i:02d}")
        standard_with_result(
            agency, f"S{i}", 800 + i, 1000, Office.objects.create(agency=agency, name="O"), 10
        )
        AgencySummary.objects.create(
            agency=agency,
            a11={"trust": {"value": 0.7 + i / 100, "se": 0.01, "n": 900, "surveys": 1}},
            complaints_met=40 + i,
            complaints_decided=60,
            computed_at=timezone.now(),
        )
    client = personas.client(personas.overseer)
    with django_assert_num_queries(6):  # type: ignore[operator]
        assert client.get(reverse("manage:oversight-benchmarks")).status_code == 200


def test_a_managers_scorecard_shows_only_the_services_whose_standards_they_own(personas: Personas) -> None:
    a = personas.agency_a
    mine = standard_with_result(a, "Permits", 700, 1000, personas.office_a, 1000)
    theirs = standard_with_result(a, "Licences", 950, 1000, personas.office_a, 1000)
    mine.owner = personas.analyst_a
    mine.save(update_fields=["owner"])
    membership = personas.analyst_a.memberships.get(agency=a)
    client = personas.client(personas.viewer_a)
    overview = client.get(reverse("manage:benchmarks:scorecard", args=[a.slug])).content.decode()
    area_url = reverse("manage:benchmarks:scorecard-manager", args=[a.slug, membership.pk])
    assert area_url in overview
    html = client.get(area_url).content.decode()
    assert "Permits" in html and "Licences" not in html and "the area of" in html
    assert theirs.service.name not in html  # type: ignore[union-attr]


def test_a_manager_of_another_agency_gets_404(personas: Personas) -> None:
    other = personas.analyst_b.memberships.get(agency=personas.agency_b)
    url = reverse("manage:benchmarks:scorecard-manager", args=[personas.agency_a.slug, other.pk])
    assert personas.client(personas.viewer_a).get(url).status_code == 404


def test_the_overseer_page_reads_in_spanish(personas: Personas) -> None:
    standard_with_result(personas.agency_a, "Cards", 900, 1000, personas.office_a, 100)
    services.refresh_agency_summary(personas.agency_a)
    html = (
        personas.client(personas.overseer)
        .get("/es" + reverse("manage:oversight-benchmarks"))
        .content.decode()
    )
    assert "Agencias comparadas" in html and "Grupos de ruido" in html and "intervalo del 95 %" in html
    assert "Quejas cerradas a tiempo" in html and "Ayuda del personal" in html


def test_the_overseer_page_shows_a_summary_the_moment_it_changes(personas: Personas) -> None:
    """The survey analysis task updates an agency's A-11 figures without touching `computed_at` (complaints and
    gaps keep their own time): the page must show the new figure at once, whatever it keeps between requests."""
    from touchstone.analysis.tests.helpers import A11_KEYS
    from touchstone.core import numbers

    survey = published_survey(personas.agency_a, minimum_to_show=5)
    add_responses(survey, 40, seed=1, answers=lambda _rng, i: dict.fromkeys(A11_KEYS, 2 if i % 4 == 0 else 5))
    refresh_survey_analysis.enqueue(survey.pk)
    before = AgencySummary.objects.get(agency=personas.agency_a)
    assert before.a11["trust"]["value"] == pytest.approx(0.75)
    client = personas.client(personas.overseer)

    def trust_of_agency_a() -> str:
        html = client.get(reverse("manage:oversight-benchmarks")).content.decode()
        row = re.search(r'<th scope="row">Agency of Alpha</th>(.*?)</tr>', html, re.S)
        assert row is not None, html
        return re.findall(r"<td>(.*?)</td>", row.group(1))[3]  # standards, complaints, satisfaction, trust

    assert trust_of_agency_a().startswith(numbers.percent(0.75, 1) + " (")

    add_responses(survey, 40, seed=2, answers=lambda _rng, _i: {**dict.fromkeys(A11_KEYS, 5), "trust": 1})
    refresh_survey_analysis.enqueue(survey.pk)
    after = AgencySummary.objects.get(agency=personas.agency_a)
    assert after.computed_at == before.computed_at and after.a11["trust"]["value"] == pytest.approx(0.375)
    assert trust_of_agency_a().startswith(numbers.percent(0.375, 1) + " (")


def test_each_columns_noise_groups_leave_out_agencies_without_a_figure() -> None:
    """The table's figures and letters against a reference worked out column by column from the same inputs:
    agencies without standards, without a summary, without complaints decided or with some A-11 statements only
    have no figure in those columns and take no part in their noise groups; ties keep the table's order."""
    import random

    from touchstone.stats.tests.test_benchmarks import reference_letters

    for seed in range(6):
        rng = random.Random(seed)
        levels = [round(rng.uniform(0.6, 0.9), 2) for _ in range(4)]
        sources: list[Any] = []
        for agency_id in rng.sample(range(1, 1000), rng.randint(0, 60)):
            standards = (
                (rng.choice(levels), rng.choice([0.0, rng.uniform(0.001, 0.02)]), rng.randint(1, 5000))
                if rng.random() < 0.8
                else None
            )
            decided = rng.choice([0, rng.randint(1, 900)])
            a11 = {
                measure: {
                    "value": rng.choice(levels),
                    "se": rng.choice([None, rng.uniform(0.0, 0.03)]),
                    "n": 50,
                }
                for measure in selectors.A11_MEASURES
                if rng.random() < 0.7
            }
            summary = (rng.randint(0, decided), decided, a11) if rng.random() < 0.8 else None
            sources.append((agency_id, standards, summary))

        figures = selectors.oversight_figures(sources)

        expected: dict[int, dict[str, tuple[float, float | None, int]]] = {}
        for agency_id, standards, summary in sources:
            shown = expected.setdefault(agency_id, {})
            if standards:
                shown["standards"] = standards
            if summary and summary[1]:
                met, decided, _a11 = summary
                shown["complaints"] = (met / decided, selectors.wilson(met, decided), decided)
            for measure, figure in (summary[2] if summary else {}).items():
                shown[measure] = (figure["value"], figure["se"], figure["n"])
        for column in ("standards", "complaints", *selectors.A11_MEASURES):
            items = [(str(a), f[column][0], f[column][1]) for a, f in expected.items() if column in f]
            letters = reference_letters(items)
            for agency_id, shown in expected.items():
                if column not in shown:
                    assert column not in figures[agency_id]
                    continue
                assert figures[agency_id][column] == (*shown[column], letters[str(agency_id)])


def test_the_standings_read_each_standards_latest_result_across_its_versions(personas: Personas) -> None:
    """A revised standard keeps one lineage: its latest judged result may sit on the version before (the new one
    has none yet) or on the new one; the overseer's counts agree with the standards rollup either way."""
    from touchstone.standards import selectors as standards
    from touchstone.standards.models import PeriodResult, ServiceStandard

    def revise(standard: ServiceStandard, valid_from: dt.date) -> ServiceStandard:
        ServiceStandard.objects.filter(pk=standard.pk).update(valid_until=valid_from - dt.timedelta(days=1))
        standard.pk, standard.version, standard.valid_from = None, standard.version + 1, valid_from
        standard.save()
        return standard

    def result(standard: ServiceStandard, month: int, met: int, verdict: str) -> None:
        PeriodResult.objects.create(
            standard=standard,
            period_start=dt.date(2026, month, 1),
            period_end=dt.date(2026, month, 28),
            label=f"2026-{month:02d}",
            volume_met=met,
            total=1000,
            performance=met / 1000,
            verdict=verdict,
        )

    unmeasured_since = standard_with_result(personas.agency_a, "Cards", 950, 1000, personas.office_a, 100)
    revise(
        unmeasured_since, dt.date(2026, 11, 1)
    )  # its September result, on the version before, is the latest
    measured_since = standard_with_result(personas.agency_a, "Boats", 950, 1000, personas.office_a, 100)
    result(revise(measured_since, dt.date(2026, 10, 1)), 10, 500, "not_met")  # October, on the new version
    rollups = {agency.pk: r for agency, r in standards.government_wide()}
    standing = next(s for s in selectors.government_standing() if s.agency == personas.agency_a)
    rollup = rollups[personas.agency_a.pk]
    assert (standing.standards, standing.measured, standing.met, standing.total) == (2, 2, 1, 2000)
    assert (rollup.standards, rollup.measured, rollup.met, rollup.total) == (2, 2, 1, 2000)
    assert standing.ranked is not None and standing.ranked.value == pytest.approx((950 + 500) / 2000)
