"""The overseer's comparison of agencies (standards kept, complaint timeliness, the seven A-11 statements and
benchmark gaps, with noise groups per column and the peer ranking) for 100 agencies × 50 services on PostgreSQL,
warm, beside the workspace home page measured in the same run.

Creates a fresh `touchstone_bench_oversight` database on postgres://postgres@127.0.0.1:5432; makes AGENCIES
agencies with SERVICES services each, one current timeliness standard per service and 12 judged monthly results
per standard, and each agency's summary row (pooled A-11 figures, complaints closed on time, benchmark gaps) as the
analysis task keeps it; then times through Django's test Client, in the same run:
  - baseline: an agency's workspace home page, signed in as its member;
  - Touchstone: /manage/oversight/benchmarks/, signed in as an overseer (warm: the page has been opened once).
Prints the median wall time and CPU time per request of each, and their ratio. The issue's target is under 300 ms
warm. Drops the database at the end. Run from the project root: `.venv/bin/python benchmarks/oversight_comparison.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = os.environ.get(
    "BENCH_DATABASE", "touchstone_bench_oversight"
)  # one of your own on a shared server


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def timed(client: object, url: str, repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds per request."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)  # type: ignore[attr-defined]
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(walls), statistics.median(cpus)


def load(agencies: int, services: int) -> tuple[str, float]:
    from touchstone.catalog.models import Service
    from touchstone.core.models import Agency
    from touchstone.standards.models import PeriodResult, ServiceStandard

    rng = random.Random(12862)
    began = time.perf_counter()
    made = Agency.objects.bulk_create(
        [Agency(name=f"Agency {i:03d}", abbreviation=f"A{i:03d}", slug=f"a{i:03d}") for i in range(agencies)]
    )
    rows = Service.objects.bulk_create(
        [
            Service(agency=agency, name=f"Service {j}", slug=f"service-{j}", description="A service.")
            for agency in made
            for j in range(services)
        ]
    )
    standards = ServiceStandard.objects.bulk_create(
        [
            ServiceStandard(
                agency_id=service.agency_id,
                service=service,
                statement="Decided within 30 days.",
                standard_type="timeliness",
                measure="calendar_days",
                threshold=30,
                target=0.9,
                period="month",
                valid_from=dt.date(2025, 1, 1),
            )
            for service in rows
        ]
    )
    results = []
    for standard in standards:
        level = rng.uniform(0.7, 0.98)
        for month in range(1, 13):
            total = rng.randint(200, 2000)
            met = min(total, round(total * rng.gauss(level, 0.02)))
            results.append(
                PeriodResult(
                    standard=standard,
                    period_start=dt.date(2025, month, 1),
                    period_end=dt.date(2025, month, 28),
                    label=f"2025-{month:02d}",
                    volume_met=met,
                    total=total,
                    performance=met / total,
                    verdict="met" if met / total >= 0.9 else "not_met",
                )
            )
    PeriodResult.objects.bulk_create(results, batch_size=5000)
    from django.utils import timezone

    from touchstone.benchmarks.models import AgencySummary
    from touchstone.benchmarks.selectors import A11_MEASURES

    AgencySummary.objects.bulk_create(
        [
            AgencySummary(
                agency=agency,
                a11={
                    measure: {
                        "value": rng.uniform(0.6, 0.9),
                        "se": rng.uniform(0.005, 0.03),
                        "n": 900,
                        "surveys": 3,
                    }
                    for measure in A11_MEASURES
                },
                complaints_met=(decided := rng.randint(200, 900)) - rng.randint(0, 150),
                complaints_decided=decided,
                gaps_ahead=rng.randint(0, 10),
                gaps_behind=rng.randint(0, 10),
                gaps_within_noise=rng.randint(0, 10),
                computed_at=timezone.now(),
            )
            for agency in made
        ]
    )
    return made[0].slug, time.perf_counter() - began


def measure(agencies: int, services: int, repeat: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client

    from touchstone.core.models import Agency, Membership, Role, User

    slug, seconds = load(agencies, services)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    member = User.objects.create_user(username="bench", password="a-long-bench-password-1")
    Membership.objects.create(user=member, agency=Agency.objects.get(slug=slug), role=Role.VIEWER)
    overseer = User.objects.create_user(
        username="overseer", password="a-long-bench-password-1", is_overseer=True
    )
    home_client, overseer_client = Client(), Client()
    home_client.force_login(member)
    overseer_client.force_login(overseer)
    home, page = f"/manage/{slug}/", "/manage/oversight/benchmarks/"
    timed(home_client, home, 2)  # warm both
    timed(overseer_client, page, 2)
    baseline = timed(home_client, home, repeat)
    comparison = timed(overseer_client, page, repeat)
    print(f"{agencies} agencies × {services} services, 12 results each (loaded in {seconds:.1f} s)")
    print(f"baseline, workspace home page: median {baseline[0]:.1f} ms, CPU {baseline[1]:.1f} ms per request")
    print(
        f"oversight comparison page, warm: median {comparison[0]:.1f} ms, CPU {comparison[1]:.1f} ms per request "
        "(target under 300 ms)"
    )
    print(f"ratio comparison / baseline: {comparison[0] / baseline[0]:.2f}")
    from touchstone.benchmarks import selectors

    standings = statistics.median(_seconds(selectors.government_standing) for _ in range(repeat))
    whole = statistics.median(_seconds(selectors.oversight_comparison) for _ in range(repeat))
    print(
        f"of which: standings' queries {standings * 1000:.1f} ms; all figures with noise groups "
        f"{whole * 1000:.1f} ms (the rest is rendering and the request)"
    )


def _seconds(work: object) -> float:
    began = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure(options.agencies, options.services, options.repeat)
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
                "--agencies",
                str(options.agencies),
                "--services",
                str(options.services),
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
