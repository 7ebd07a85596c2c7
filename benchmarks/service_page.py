# ruff: noqa: S608  (the SQL is built from constants)
"""The improvement service page of one large service on PostgreSQL, warm, against the workspace home page.

Creates a fresh database (`--database`, default `touchstone_bench_service_page`) on
postgres://postgres@127.0.0.1:5432 and seeds one service with 10 standards and 3 years of monthly results,
200,000 survey responses (COPY) and 50,000 complaints (bulk inserts) over those 3 years, 3 improvement actions and
20 ideas-board items; recounts the service's monthly figures once (as the hourly task does), then times through
Django's test Client, signed in as a member, in the same run:
  - baseline: the agency's workspace home page;
  - Touchstone: the service page (/manage/<agency>/improvement/services/<id>/).
Prints the median wall and CPU time per request of each and their ratio, and the queries the service page made.
The issue's target is under 300 ms warm. Drops the database at the end.
Run from the project root: `.venv/bin/python benchmarks/service_page.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
CHANNELS = ["website", "phone", "in_person", "mobile_app", "postal_mail"]
TOPICS = [
    "Late payment",
    "Wrong amount",
    "Lost documents",
    "Website problems",
    "Long wait times",
    "Rude staff",
]
MONTHS = 36


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def clip(value: float) -> int:
    return max(1, min(5, round(value)))


def month_starts(today: dt.date) -> list[dt.date]:
    index = today.year * 12 + today.month - 1 - MONTHS
    return [dt.date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(MONTHS)]


def copy_responses(
    survey_id: int, version_id: int, service_id: int, months: list[dt.date], count: int
) -> None:
    from django.db import connection

    rng = random.Random(12862)
    columns = (
        "survey_id, version_id, status, source, answers, language, channel, location, referrer_page, "
        "submitted_at, stratum, cluster, resume_token_hash, is_spam, is_flagged, is_archived, tags, service_id"
    )
    with connection.cursor() as cursor:
        buffer = io.StringIO()
        for i in range(count):
            month = months[i % MONTHS]
            base = 3.5 + 0.3 * (i % MONTHS) / MONTHS
            answers = {
                key: clip(rng.gauss(base, 0.9))
                for key in (
                    "satisfaction",
                    "trust",
                    "effectiveness",
                    "ease",
                    "efficiency",
                    "equity",
                    "employee",
                )
            }
            submitted = f"{month:%Y-%m}-{i % 27 + 1:02d} 12:00:00+00"
            fields = [str(survey_id), str(version_id), "complete", "web", json.dumps(answers), "en"]
            fields += [
                rng.choice(CHANNELS),
                "",
                "",
                submitted,
                "",
                "",
                "",
                "f",
                "f",
                "f",
                "[]",
                str(service_id),
            ]
            buffer.write("\t".join(fields) + "\n")
        buffer.seek(0)
        with cursor.cursor.copy(f"COPY surveys_response ({columns}) FROM STDIN") as copy:
            copy.write(buffer.read())


def seed(count_responses: int, count_cases: int) -> tuple[object, object, object, float]:
    from django.utils import timezone

    from touchstone.catalog.models import Service
    from touchstone.complaints.models import Case, Topic
    from touchstone.core.models import Agency, Membership, Role, User
    from touchstone.improvement import services
    from touchstone.standards.models import PeriodResult, ServiceStandard
    from touchstone.surveys.tests.factories import published_survey
    from touchstone.voice.models import BoardItem

    agency = Agency.objects.create(name="Benchmark Administration", abbreviation="BA")
    user = User.objects.create_user(username="bench", password="a-long-bench-password-1")
    Membership.objects.create(user=user, agency=agency, role=Role.ANALYST)
    service = Service.objects.create(
        agency=agency, name="Apply for benefits", slug="apply", description="Apply."
    )
    months = month_starts(timezone.localdate())
    rng = random.Random(7)
    standards = [
        ServiceStandard.objects.create(
            agency=agency,
            service=service,
            statement=f"We decide {n + 1} kinds of application within 30 days, 85% of the time.",
            standard_type="timeliness",
            measure="calendar_days",
            threshold=30,
            target=0.85,
            valid_from=months[0],
        )
        for n in range(10)
    ]
    PeriodResult.objects.bulk_create(
        PeriodResult(
            standard=standard,
            period_start=month,
            period_end=month + dt.timedelta(days=27),
            label=f"{month:%Y-%m}",
            volume_met=(met := int(1000 * (0.88 + rng.gauss(0, 0.01)))),
            total=1000,
            performance=met / 1000,
        )
        for standard in standards
        for month in months
    )
    survey = published_survey(agency, service=service)
    assert survey.current_version is not None
    copy_responses(survey.pk, survey.current_version.pk, service.pk, months, count_responses)
    topics = [Topic.objects.create(agency=agency, name=name) for name in TOPICS]
    for offset in range(0, count_cases, 5000):
        cases = []
        for i in range(offset, min(count_cases, offset + 5000)):
            received = timezone.make_aware(
                dt.datetime.combine(months[i % MONTHS] + dt.timedelta(days=i % 27), dt.time(12))
            )
            cases.append(
                Case(
                    agency=agency,
                    tracking_number=f"BA-{i:07d}",
                    service=service,
                    topic=topics[i % len(topics)],
                    narrative="It took too long.",
                    state=Case.State.CLOSED,
                    received_at=received,
                    closed_at=received + dt.timedelta(days=i % 30),
                )
            )
        Case.objects.bulk_create(cases)
    BoardItem.objects.bulk_create(
        BoardItem(
            agency=agency,
            kind="barrier",
            summary=f"Barrier {n}",
            text="x",
            service=service,
            period=months[-1],
        )
        for n in range(20)
    )
    for n, standard in enumerate(standards[:3]):
        done = months[20 + n] - dt.timedelta(days=1)
        services.save_action(
            actor=None,
            agency=agency,
            service=service,
            data={
                "title": f"Action {n}",
                "why": "It slipped.",
                "prompted_by": "standard",
                "standard": standard,
                "owner": user,
                "starts_on": done - dt.timedelta(days=60),
                "due_on": done,
                "done_on": done,
                "status": "done",
                "measure_standard": standard,
            },
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    began = time.perf_counter()
    services.refresh_service_months(service)
    return agency, user, service, time.perf_counter() - began


def timed(client: object, url: str, repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds per request."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)  # type: ignore[attr-defined]
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(walls), statistics.median(cpus)


def measure(responses: int, cases: int, repeat: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client

    began = time.perf_counter()
    agency, user, service, refresh = seed(responses, cases)
    seeded = time.perf_counter() - began
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    page = f"/manage/{agency.slug}/improvement/services/{service.pk}/"  # type: ignore[attr-defined]
    home = f"/manage/{agency.slug}/"  # type: ignore[attr-defined]
    timed(client, page, 2)  # warm both
    timed(client, home, 2)
    executed: list[str] = []

    def count(run: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return run(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(page)
    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        client.get(page)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    baseline = timed(client, home, repeat)
    service_page = timed(client, page, repeat)
    print(
        f"seeded 10 standards x {MONTHS} months, {responses:,} responses, {cases:,} complaints in {seeded:.1f} s"
    )
    print(f"recount of the service's monthly figures (hourly task): {refresh:.2f} s")
    print(f"baseline, workspace home page: median {baseline[0]:.1f} ms, CPU {baseline[1]:.1f} ms per request")
    print(
        f"service page, warm: median {service_page[0]:.1f} ms, CPU {service_page[1]:.1f} ms per request, "
        f"{len(executed)} queries (target under 300 ms)"
    )
    print(f"ratio service page / baseline: {service_page[0] / baseline[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database", default="touchstone_bench_service_page")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure(options.responses, options.cases, options.repeat)
        return
    database = options.database
    admin(f"DROP DATABASE IF EXISTS {database}")
    admin(f"CREATE DATABASE {database}")
    try:
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="touchstone.settings",
            TOUCHSTONE_TESTING="true",
            DATABASE_URL=f"{SERVER}/{database}",
        )
        arguments = ["--child", "--responses", str(options.responses), "--cases", str(options.cases)]
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, *arguments, "--repeat", str(options.repeat)],
            env=env,
            check=True,
            cwd=ROOT,
        )
    finally:
        admin(f"DROP DATABASE IF EXISTS {database}")


if __name__ == "__main__":
    main()
