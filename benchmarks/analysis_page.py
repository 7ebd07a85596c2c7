# ruff: noqa: S608  (the SQL is built from constants)
"""Opening a survey's analysis page with 1,000,000 responses on PostgreSQL, warm, against a trivial page.

Creates a fresh `touchstone_bench_analysis` database on postgres://postgres@127.0.0.1:5432, publishes one A-11
survey, loads N responses (1,000,000 by default; `--responses N` for fewer) with COPY, computes the cached analysis
once (as the background task does when responses arrive), then times through Django's test Client, signed in as a
member, in the same run:
  - baseline: the agency's workspace home page;
  - Touchstone: the survey's analysis page (warm: the cache exists).
Prints the median of each, their ratio, and the time the refresh took. The issue's target is under 300 ms warm.
Drops the database at the end. Run from the project root: `.venv/bin/python benchmarks/analysis_page.py`.
"""

from __future__ import annotations

import argparse
import io
import json
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
DATABASE = "touchstone_bench_analysis"
CHANNELS = ["website", "phone", "in_person", "mobile_app", "postal_mail"]
CHANNEL_WEIGHTS = [45, 30, 12, 8, 5]
COMMENTS = [
    "The wait on the phone was over an hour.",
    "The website timed out twice while I was filling in the form.",
    "Staff were friendly and knew the answers.",
    "The letter I got was confusing and full of legal words.",
]


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def clip(value: float) -> int:
    return max(1, min(5, round(value)))


def load_responses(survey_id: int, version_id: int, count: int) -> float:
    """COPY `count` responses with a planted driver structure; returns seconds."""
    from django.db import connection

    rng = random.Random(12862)
    began = time.perf_counter()
    columns = (
        "survey_id, version_id, status, source, answers, language, channel, location, referrer_page, "
        "submitted_at, stratum, cluster, resume_token_hash, is_spam, is_flagged, is_archived, tags, "
        "spam_score, spam_reasons, link_fields"
    )
    batch = 100_000
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for offset in range(0, count, batch):
            buffer = io.StringIO()
            for i in range(offset, min(count, offset + batch)):
                channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
                base = 3.6 + (-0.45 if channel == "phone" else 0.3)
                ease, efficiency = clip(rng.gauss(base, 0.9)), clip(rng.gauss(base - 0.2, 0.9))
                others = {
                    k: clip(rng.gauss(base + 0.2, 0.9)) for k in ("effectiveness", "equity", "employee")
                }
                satisfaction = clip(
                    0.5 * ease + 0.3 * efficiency + 0.2 * others["effectiveness"] + rng.gauss(0, 0.4)
                )
                answers = {
                    "satisfaction": satisfaction,
                    "trust": clip(rng.gauss(base, 0.9)),
                    "ease": ease,
                    "efficiency": efficiency,
                    **others,
                }
                if rng.random() < 0.3:
                    answers["comment_service"] = rng.choice(COMMENTS)
                month, rest = divmod(i % 420, 30)
                year = 2025 + (9 + month) // 12
                month_number = (9 + month) % 12 + 1
                submitted = f"{year}-{month_number:02d}-{rest % 28 + 1:02d} 12:00:00+00"
                line = "\t".join(
                    [
                        str(survey_id),
                        str(version_id),
                        "complete",
                        "web",
                        json.dumps(answers).replace("\\", "\\\\"),
                        "en",
                        channel,
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
                        "0",
                        "[]",
                        "{}",
                    ]
                )
                buffer.write(line + "\n")
            buffer.seek(0)
            with raw.copy(f"COPY surveys_response ({columns}) FROM STDIN") as copy:
                copy.write(buffer.read())
    return time.perf_counter() - began


def median_ms(client: object, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(times)


def measure(responses: int, repeat: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.test import Client

    from touchstone.analysis import services
    from touchstone.core.models import Agency, Membership, Role, User
    from touchstone.surveys.tests.factories import published_survey

    agency = Agency.objects.create(name="Benchmark Administration", abbreviation="BA")
    user = User.objects.create_user(username="bench", password="a-long-bench-password-1")
    Membership.objects.create(user=user, agency=agency, role=Role.VIEWER)
    survey = published_survey(agency)
    assert survey.current_version is not None
    loaded = load_responses(survey.pk, survey.current_version.pk, responses)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_response")
    began = time.perf_counter()
    services.refresh_analysis(survey)
    refresh = time.perf_counter() - began
    client = Client()
    client.force_login(user)
    page = f"/manage/{agency.slug}/analysis/{survey.pk}/"
    home = f"/manage/{agency.slug}/"
    median_ms(client, page, 2)  # warm both
    median_ms(client, home, 2)
    baseline = median_ms(client, home, repeat)
    analysis = median_ms(client, page, repeat)
    print(f"responses: {responses:,} (loaded with COPY in {loaded:.1f} s)")
    print(f"refresh of the cached analysis (background task): {refresh:.1f} s")
    print(f"baseline, workspace home page: median {baseline:.1f} ms")
    print(f"analysis page, warm: median {analysis:.1f} ms (target under 300 ms)")
    print(f"ratio analysis / baseline: {analysis / baseline:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
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
