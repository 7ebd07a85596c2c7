# ruff: noqa: S608  (the SQL is built from constants)
"""Building the survey report and the customer service plan as PDF, against WeasyPrint rendering a static HTML page
of the same length, in the same run.

Creates a fresh `touchstone_bench_reports` database on postgres://postgres@127.0.0.1:5432 and measures two agencies:
  - the demo agency (`load_demo`), and
  - an agency with one A-11 survey and N responses (1,000,000 by default; `--responses N` for fewer), loaded with COPY.
For each, through Django's test Client signed in as a member, the median of `--repeat` runs of:
  - baseline: WeasyPrint rendering the HTML the report page produced, saved as a static string (same length);
  - Touchstone: the report's PDF URL (figures read, template rendered, PDF written), a draft (live figures,
    the quarters' cached analyses) and, for the same report issued, the frozen snapshot; and the plan's PDF URL.
Prints each median and its ratio to the baseline (aim: at most 2). Drops the database at the end.
Run from the project root: `.venv/bin/python benchmarks/reports_pdf.py`.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "touchstone_bench_reports"


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def median_seconds(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure_agency(label: str, agency: object, user: object, repeat: int) -> None:
    from django.test import Client
    from weasyprint import HTML

    from touchstone.analysis import services as analysis_services
    from touchstone.reports import figures, services
    from touchstone.reports.models import PLAIN_LANGUAGE_CHECKS, PlanSection, ServicePlan, SurveyReport

    report = SurveyReport.objects.filter(
        agency=agency, snapshot__isnull=True
    ).first() or services.start_report(
        actor=None,
        agency=agency,
        period="FY2026",  # type: ignore[arg-type]
    )
    plan = ServicePlan.objects.filter(agency=agency).first()
    if plan is None:
        plan = services.start_plan(actor=None, agency=agency, fiscal_year=2027)  # type: ignore[arg-type]
        for section in PlanSection.values:
            services.write_plan_section(
                actor=None,
                plan=plan,
                section=section,
                english="We help you. " * 20,
                spanish="",
                checks=list(PLAIN_LANGUAGE_CHECKS),
            )
    for survey in figures.customer_surveys(agency):  # type: ignore[arg-type]
        for quarter in (1, 2, 3, 4):
            analysis_services.refresh_analysis(
                survey, f"FY2026 Q{quarter}"
            )  # as the background task keeps them
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    slug = agency.slug  # type: ignore[attr-defined]
    from django.template.loader import render_to_string

    from touchstone.reports.views import report_context

    # The very HTML the PDF is made from, rendered once and kept as a static string.
    page = render_to_string(
        "reports/report_pdf.html", {**report_context(report), "agency": agency, "language": "en", "pdf": True}
    )
    static = HTML(string=page)

    def baseline() -> None:
        static.write_pdf(pdf_variant="pdf/ua-1")

    def report_pdf() -> None:
        assert client.get(f"/manage/{slug}/reports/survey-reports/{report.pk}/pdf/").status_code == 200

    def plan_pdf() -> None:
        assert client.get(f"/manage/{slug}/reports/plans/{plan.pk}/pdf/").status_code == 200  # type: ignore[union-attr]

    baseline(), report_pdf()  # warm
    base = median_seconds(baseline, repeat)
    live = median_seconds(report_pdf, repeat)
    services.move_document(actor=user, document=report, to="in_review")  # type: ignore[arg-type]
    services.move_document(actor=user, document=report, to="approved")  # type: ignore[arg-type]
    services.move_document(actor=user, document=report, to="published")  # type: ignore[arg-type]
    frozen = median_seconds(report_pdf, repeat)
    plan_time = median_seconds(plan_pdf, repeat)
    print(f"{label}: static HTML of {len(page):,} characters through WeasyPrint: median {base * 1000:.0f} ms")
    print(f"  survey report PDF, live figures: {live * 1000:.0f} ms, ratio {live / base:.2f}")
    print(f"  survey report PDF, issued (frozen): {frozen * 1000:.0f} ms, ratio {frozen / base:.2f}")
    print(f"  customer service plan PDF: {plan_time * 1000:.0f} ms, ratio {plan_time / base:.2f}")


def measure(responses: int, repeat: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from analysis_page import load_responses  # type: ignore[import-not-found]

    from touchstone.core.models import Agency, Membership, Role, User
    from touchstone.surveys.tests.factories import published_survey

    call_command("load_demo", stdout=io.StringIO())
    demo = Agency.objects.get(abbreviation="BA")
    measure_agency("demo agency", demo, User.objects.get(username="admin"), repeat)

    agency = Agency.objects.create(name="Benchmark Administration", abbreviation="BENCH")
    user = User.objects.create_user(username="bench", password="a-long-bench-password-1")
    Membership.objects.create(user=user, agency=agency, role=Role.ADMIN)
    survey = published_survey(agency)
    assert survey.current_version is not None
    loaded = load_responses(survey.pk, survey.current_version.pk, responses)
    print(f"{responses:,} responses loaded with COPY in {loaded:.1f} s")
    measure_agency(f"agency with {responses:,} responses", agency, user, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure(options.responses, options.repeat)
        return
    admin(f"DROP DATABASE IF EXISTS {DATABASE}")
    admin(f"CREATE DATABASE {DATABASE}")
    try:
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="touchstone.settings",
            TOUCHSTONE_TESTING="true",
            DATABASE_URL=f"{SERVER}/{DATABASE}",
        )
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                __file__,
                "--child",
                "--responses",
                str(options.responses),
                "--repeat",
                str(options.repeat),
            ],
            env=env,
            check=True,
            cwd=ROOT,
        )
    finally:
        admin(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
