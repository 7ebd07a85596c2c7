"""The public directory's search over 10,000 published services, on SQLite and PostgreSQL.

Each search is `published_services(DirectoryFilters(...))` as the directory runs it: its first page (25 rows)
evaluated to a list, plus its `.count()`. Times are medians of repeated runs, printed beside a baseline measured
in the same run on the same database (the first page and count of all published services, no search, no
filters), with the ratio, and whether the search met the issue's target of under 100 ms.

Each backend runs in a child process with its own throwaway database: a temporary SQLite file, and a fresh
PostgreSQL database (`touchstone_bench` on postgres://postgres@127.0.0.1:5432) created and dropped here.
Run from the project root: `.venv/bin/python benchmarks/catalog_search.py [--backend sqlite|postgres]`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVICES = 10_000
AGENCIES = 8
PAGE = 25
REPEATS = 21
TARGET_MS = 100.0
SEED = 20240901
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "touchstone_bench"

AGENCY_NAMES = [
    ("Benefits Administration", "BA"),
    ("Bureau of Land and Parks", "BLP"),
    ("Office of Revenue", "OREV"),
    ("Department of Veterans Services", "DVS"),
    ("Small Business Office", "SBO"),
    ("Bureau of Consular Affairs", "BCA"),
    ("Student Aid Office", "SAO"),
    ("Food Safety Service", "FSS"),
]
ACTIONS = [
    "Apply for",
    "Renew",
    "Replace",
    "Report a change to",
    "Check the status of",
    "Appeal a decision on",
    "Register for",
    "Request",
    "Pay for",
    "Cancel",
    "Update",
    "Get help with",
]
SUBJECTS = [
    "passport",
    "disability benefits",
    "retirement benefits",
    "small business loan",
    "tax refund",
    "fishing license",
    "hunting permit",
    "campground reservation",
    "student aid",
    "veterans pension",
    "housing voucher",
    "export permit",
    "import license",
    "records request",
    "food inspection",
    "medical claim",
    "education grant",
    "farm subsidy",
    "disaster assistance",
    "identity card",
    "survivor benefits",
    "trademark filing",
    "workplace complaint",
    "broadband subsidy",
    "childcare credit",
    "energy rebate",
    "visa appointment",
    "birth certificate",
    "pilot certificate",
    "boating permit",
]
AUDIENCES = [
    "",
    "for veterans",
    "for farmers",
    "for families",
    "for students",
    "for small businesses",
    "for seniors",
    "for tribal nations",
    "online",
    "by mail",
    "abroad",
    "for caregivers",
]
SENTENCES = [
    "Find out who is eligible and what you need before you start.",
    "Most people finish in about twenty minutes.",
    "You can track your request after you submit it.",
    "We answer most requests within thirty days.",
    "Bring proof of identity and your most recent statement.",
    "There is no fee for this service.",
    "Call us if you need help in another language.",
    "If we deny your request, you can appeal within sixty days.",
    "Keep a copy of everything you send us.",
    "Payments arrive by direct deposit or check.",
]

# (label, DirectoryFilters arguments)
CASES: list[tuple[str, dict[str, str]]] = [
    ("no search, no filters (directory)", {}),
    ("one common word: benefits", {"query": "benefits"}),
    ("one rare word: trademark", {"query": "trademark"}),
    ("two words: disability benefits", {"query": "disability benefits"}),
    ("three words: renew passport abroad", {"query": "renew passport abroad"}),
    ("a word that matches nothing", {"query": "zeppelin"}),
    ("word + kind: permit, regulatory", {"query": "permit", "kind": "regulatory"}),
    ("kind only: benefits", {"kind": "benefits"}),
    ("word + channel: benefits, in person", {"query": "benefits", "channel": "in_person"}),
    ("channel only: fax", {"channel": "fax"}),
    ("segment only: businesses", {"segment_kind": "businesses"}),
    (
        "word + kind + channel + segment",
        {"query": "loan", "kind": "benefits", "channel": "website", "segment_kind": "businesses"},
    ),
]


def median_ms(run: Callable[[], Any]) -> float:
    for _ in range(3):  # warm the caches and the query plan
        run()
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def seed_catalog(rng: random.Random) -> None:
    """10,000 published services across several agencies, with channels and customer segments."""
    from touchstone.catalog.channels import Channel
    from touchstone.catalog.models import Segment, Service, ServiceChannel, ServiceSegment
    from touchstone.core.models import Agency

    agencies = [
        Agency.objects.create(name=name, abbreviation=abbreviation) for name, abbreviation in AGENCY_NAMES
    ]
    segments = {
        agency.pk: [
            Segment.objects.create(agency=agency, name=kind.label, kind=kind.value) for kind in Segment.Kind
        ]
        for agency in agencies
    }
    kinds = Service.Kind.values
    channel_weights = {
        Channel.WEBSITE: 10,
        Channel.PHONE: 8,
        Channel.IN_PERSON: 5,
        Channel.POSTAL_MAIL: 4,
        Channel.EMAIL: 4,
        Channel.MOBILE_APP: 2,
        Channel.FAX: 1,
        Channel.LIVE_CHAT: 1,
    }
    services = []
    for number in range(SERVICES):
        name = " ".join(
            part for part in (rng.choice(ACTIONS), rng.choice(SUBJECTS), rng.choice(AUDIENCES)) if part
        )
        description = " ".join(rng.sample(SENTENCES, 3))
        services.append(
            Service(
                agency=rng.choice(agencies),
                name=name,
                slug=f"service-{number}",
                description=description,
                kind=rng.choice(kinds),
                status=Service.Status.PUBLISHED,
                search_text=f"{name} {description}".lower(),  # bulk_create skips Service.save
            )
        )
    Service.objects.bulk_create(services, batch_size=1000)
    channels, links = [], []
    for service in services:
        chosen = set(
            rng.choices(list(channel_weights), weights=list(channel_weights.values()), k=rng.randint(1, 4))
        )
        channels.extend(ServiceChannel(service=service, channel=channel) for channel in chosen)
        for segment in rng.sample(segments[service.agency_id], rng.randint(1, 2)):
            links.append(ServiceSegment(service=service, segment=segment, is_eligible=True))
    ServiceChannel.objects.bulk_create(channels, batch_size=2000)
    ServiceSegment.objects.bulk_create(links, batch_size=2000)


def measure(backend: str) -> None:
    """Runs inside the child process, once Django is set up on the throwaway database."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    from touchstone.catalog.models import Service
    from touchstone.catalog.selectors import DirectoryFilters, published_services

    started = time.perf_counter()
    seed_catalog(random.Random(SEED))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics as a live database would have them
    seconds = time.perf_counter() - started
    version = connection.pg_version if backend == "postgres" else connection.Database.sqlite_version
    print(f"\n{backend} {version}: {SERVICES:,} published services seeded in {seconds:.1f} s")

    def baseline() -> None:
        published = Service.objects.filter(status=Service.Status.PUBLISHED)
        list(published[:PAGE])
        published.count()

    base_ms = median_ms(baseline)
    print(f"  {'search':<44} {'matches':>7} {'median ms':>10} {'x baseline':>10}  under {TARGET_MS:.0f} ms")
    print(f"  {'baseline: published, first page + count':<44} {'':>7} {base_ms:>10.2f} {1.0:>10.1f}")
    for label, arguments in CASES:
        filters = DirectoryFilters(**arguments)

        def search(filters: DirectoryFilters = filters) -> int:
            results = published_services(filters)
            list(results[:PAGE])
            return results.count()

        matches = search(filters)
        ms = median_ms(search)
        verdict = "yes" if ms < TARGET_MS else "NO"
        print(f"  {label:<44} {matches:>7} {ms:>10.2f} {ms / base_ms:>10.1f}  {verdict}")


def measure_in_child(backend: str, environment: dict[str, str]) -> None:
    """Settings are read once per process, so each database gets its own interpreter."""
    command = [sys.executable, __file__, "--measure", backend]  # this script, by our own interpreter
    subprocess.run(command, env=environment, check=True)  # noqa: S603


def run_backend(backend: str) -> None:
    """Create the throwaway database, run `measure` in a child process on it, then drop it."""
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE="touchstone.settings", TOUCHSTONE_TESTING="true")
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            environment["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            measure_in_child(backend, environment)
        return
    import psycopg

    try:
        server = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True)
    except psycopg.OperationalError as error:
        print(f"\npostgres: skipped, the server does not answer ({error})")
        return
    with server:
        server.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}"')
        server.execute(f'CREATE DATABASE "{POSTGRES_DATABASE}"')
        try:
            environment["DATABASE_URL"] = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
            measure_in_child(backend, environment)
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--measure", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        measure(arguments.measure)
        return
    print(
        f"Directory search: published_services(...) first page of {PAGE} + count, median of {REPEATS} runs; "
        f"baseline = first page + count of all published services, same database, same run."
    )
    for backend in arguments.backend or ["sqlite", "postgres"]:
        run_backend(backend)


if __name__ == "__main__":
    main()
