"""The overseer's comparison of agencies (standards kept, complaint timeliness, the seven A-11 statements and
benchmark gaps, with noise groups per column and the peer ranking) for 100 agencies × 50 services on PostgreSQL,
warm, beside the workspace home page measured in the same run.

Creates a fresh `touchstone_bench_oversight` database on postgres://postgres@127.0.0.1:5432; makes AGENCIES
agencies with SERVICES services each, one current timeliness standard per service and 12 judged monthly results
per standard, and each agency's summary row (pooled A-11 figures, complaints closed on time, benchmark gaps) as the
analysis task keeps it; then times through Django's test Client, in the same run:
  - baseline: an agency's workspace home page, signed in as its member;
  - Touchstone: /manage/oversight/benchmarks/, signed in as an overseer (warm: the page has been opened once).
Prints for each the median and 90th percentile wall time, the median CPU time of this process per request and the
CPU time PostgreSQL's server process spent per request (read from /proc when the server runs on this machine), and
the ratio of the two pages; with the load average before and after, since the machine is shared and wall times
swing with it while CPU times hold still. The issue's target is under 300 ms warm. Drops the database at the end.
Run from the project root: `.venv/bin/python benchmarks/oversight_comparison.py [--database NAME]` (a database
name of your own when others run benchmarks on the same server).
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "touchstone_bench_oversight"  # --database: one of your own on a shared server


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


@dataclass
class Timing:
    median: float  # wall milliseconds
    p90: float
    cpu: float  # this process's CPU milliseconds per request (median)
    # PostgreSQL's server process, CPU milliseconds per request (mean); None when its /proc entry is not readable
    server_cpu: float | None

    def line(self, name: str) -> str:
        server = "n/a" if self.server_cpu is None else f"{self.server_cpu:.1f} ms"
        return (
            f"{name}: median {self.median:.1f} ms, p90 {self.p90:.1f} ms; CPU {self.cpu:.1f} ms per request "
            f"(+ PostgreSQL {server})"
        )


def server_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) the PostgreSQL process serving this connection has used, if it runs here."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(client: object, url: str, repeat: int) -> Timing:
    from django.db import connection

    def backend() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])

    pid = backend()
    walls, cpus = [], []
    server_before = server_cpu_seconds(pid)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)  # type: ignore[attr-defined]
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    server_after = server_cpu_seconds(pid) if backend() == pid else None  # the same connection throughout
    server = (
        None
        if server_before is None or server_after is None
        else (server_after - server_before) * 1000 / repeat
    )
    return Timing(
        statistics.median(walls), statistics.quantiles(walls, n=10)[-1], statistics.median(cpus), server
    )


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


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
    timed(home_client, home, 3)  # warm both
    timed(overseer_client, page, 3)
    load_before = load_average()
    baseline = timed(home_client, home, repeat)
    comparison = timed(overseer_client, page, repeat)
    load_after = load_average()
    print(f"{agencies} agencies × {services} services, 12 results each (loaded in {seconds:.1f} s)")
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}; {repeat} requests each")
    print(baseline.line("baseline, workspace home page"))
    print(comparison.line("oversight comparison page, warm (target under 300 ms)"))
    print(
        f"ratio comparison / baseline: wall {comparison.median / baseline.median:.2f} (median), "
        f"CPU {comparison.cpu / baseline.cpu:.2f}"
    )
    from touchstone.benchmarks import selectors

    standings = statistics.median(_seconds(selectors.government_standing) for _ in range(repeat))
    whole = statistics.median(_seconds(selectors.oversight_comparison) for _ in range(repeat))
    print(
        f"of which (wall, median): standings' queries {standings * 1000:.1f} ms; the whole comparison with noise "
        f"groups and formatted figures {whole * 1000:.1f} ms (the rest is the template and the request)"
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
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument(
        "--database", default=DATABASE, help="created and dropped on the server (default: %(default)s)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure(options.agencies, options.services, options.repeat)
        return
    database = options.database
    if not database.replace("_", "").isalnum():
        parser.error("--database: letters, digits and _ only")
    admin(f"DROP DATABASE IF EXISTS {database}")
    admin(f"CREATE DATABASE {database}")
    try:
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="touchstone.settings",
            TOUCHSTONE_TESTING="true",
            DATABASE_URL=f"{SERVER}/{database}",
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
        admin(f"DROP DATABASE IF EXISTS {database}")


if __name__ == "__main__":
    main()
