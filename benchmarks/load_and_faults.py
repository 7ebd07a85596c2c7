"""A busy day with faults: public survey submissions, complaint intake and transaction batches at a steady rate
through several gunicorn worker processes, while one worker is killed with SIGKILL and PostgreSQL is restarted;
at the end, every acknowledged submission is looked for in the database.

    .venv/bin/python benchmarks/load_and_faults.py                  # 180 s, the default rates
    .venv/bin/python benchmarks/load_and_faults.py --seconds 40     # a shorter run

Loopback only, bounded in time (--seconds, at most 900) and count (the rates times the seconds, at most --most).
It runs its own PostgreSQL cluster (initdb in a temporary folder, a free port, as the postgres user when run as
root), so restarting it disturbs no other database on the machine; database touchstone_harness; all removed at the
end. The project is served by one gunicorn with --workers gthread workers, DEBUG off, connections kept as in
production.

What each client does, as the real ones do:
- survey: a browser GETs the public form (its CSRF token and the form's stamp, which keys the submission), then POSTs the answers;
  acknowledged when the 302 to the thank-you page comes back. A failed POST is sent again with the same key.
- complaint: POST /api/v1/complaints with a submit token and an Idempotency-Key; acknowledged with its tracking
  number (200 or 201). A failure is retried with the same key.
- transactions: POST /api/v1/transactions/batch of --batch transactions with fixed external ids; acknowledged on
  200. A failure is retried with the same batch.
Retries back off from 0.2 s to 2 s for at most --retry-seconds. Latency counts from the moment a submission was
scheduled to its acknowledgement, retries included, so a stall is not hidden by waiting for it.

At --seconds / 3 one gunicorn worker gets SIGKILL (the master starts another); at 2 x --seconds / 3 PostgreSQL is
restarted (pg_ctl restart -m fast). The report: throughput and p50/p99 per endpoint, then acknowledged-but-missing
and stored-twice per endpoint, both of which must be 0 (the exit status is 1 otherwise).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from survey_submission import COMPLAINT, ROOT, environment, free_port, percentile  # noqa: E402

DATABASE = "touchstone_harness"
KINDS = ("survey", "complaint", "transactions")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_FIELD = re.compile(r'name="form_stamp" value="([^"]+)"')  # the form's stamp keys its submission
ANSWERS = {"page": "0", "satisfaction": "4", "ease": "5", "comment_service": "Quick and kind."}


# --- a PostgreSQL of its own ------------------------------------------------------------------------------------


class Cluster:
    """A throwaway PostgreSQL cluster on a free loopback port: restarting it touches nobody else's database."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not found:
            raise SystemExit("PostgreSQL's pg_ctl was not found under /usr/lib/postgresql/*/bin")
        self.bin = found[-1].parent
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="touchstone-harness-pg-"))
        self.data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")

    def run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
            [*as_postgres, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )

    def start(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self.run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def restart(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "restart")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"


# --- the agency the clients talk to -------------------------------------------------------------------------------


@dataclass
class Agency:
    pk: int
    survey_id: int
    survey_code: str
    secret: str
    service_slug: str


def prepare(env: dict[str, str]) -> Agency:
    """Migrate the fresh database; an agency with handlers, a published A-11 survey, a service and a token."""
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchstone.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from touchstone.catalog.models import Service
    from touchstone.complaints.models import ServiceLevelPolicy
    from touchstone.complaints.selectors import settings_of
    from touchstone.core import services as core_services
    from touchstone.core.models import Agency as AgencyModel
    from touchstone.core.models import Membership, Role, User
    from touchstone.surveys.tests.factories import published_survey

    call_command("migrate", verbosity=0)
    agency = AgencyModel.objects.create(name="Harness Agency", abbreviation="HAR")
    admin = User.objects.create_user(username="harness-admin", password=uuid.uuid4().hex)
    Membership.objects.create(user=admin, agency=agency, role=Role.ADMIN)
    for number in range(3):
        handler = User.objects.create_user(username=f"harness-handler-{number}", password=uuid.uuid4().hex)
        Membership.objects.create(user=handler, agency=agency, role=Role.HANDLER)
    settings_of(agency)
    ServiceLevelPolicy.objects.create(agency=agency, name="Standard")
    survey = published_survey(agency)
    service = Service.objects.create(agency=agency, name="Renewals", slug="renewals", description="Renewals.")
    _token, secret = core_services.create_api_token(
        actor=admin, agency=agency, name="Harness", scopes=["submit", "write"]
    )
    connection.close()
    return Agency(agency.pk, survey.pk, survey.short_code, secret, service.slug)


# --- the servers ----------------------------------------------------------------------------------------------------


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path
) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "touchstone.wsgi:application",
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread"),
            *("--threads", str(threads), "--keep-alive", "30", "--log-level", "warning"),
        ],
        cwd=ROOT,
        # The project's settings, with static files served unhashed (collectstatic's manifest is not built here).
        env={**env, "DJANGO_SETTINGS_MODULE": "survey_submission_site"},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/sign-in/")
            if probe.getresponse().status == 200 and len(worker_pids(server.pid)) == workers:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def worker_pids(master: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


# --- the clients ----------------------------------------------------------------------------------------------------


class Refused(Exception):
    """An answer that a retry would not change (a 4xx other than 403/409/429): counted, not retried."""


@dataclass
class Tally:
    sent: int = 0
    acknowledged: dict[str, Any] = field(default_factory=dict)  # key -> what the server said it stored
    latencies: list[float] = field(default_factory=list)
    retries: int = 0
    replayed: int = 0  # retries the server answered from what it had already stored (its idempotency at work)
    gave_up: int = 0
    refused: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)


class Client:
    """One thread's keep-alive connection and cookies (a browser, or a partner system's HTTP client)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def send(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(
                method, path, body=body, headers={**(headers or {}), **({"Cookie": cookie} if cookie else {})}
            )
            answer = self.connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer.status, dict(answer.headers.items()), content


class Load:
    def __init__(self, port: int, agency: Agency, batch: int, retry_seconds: float) -> None:
        self.port = port
        self.agency = agency
        self.batch = batch
        self.retry_seconds = retry_seconds
        self.tallies = {kind: Tally() for kind in KINDS}
        self.lock = threading.Lock()
        self.local = threading.local()

    def client(self) -> Client:
        if not hasattr(self.local, "client"):
            self.local.client = Client(self.port)
        return self.local.client

    def submit(self, kind: str, scheduled: float) -> None:
        """One submission, retried on its key until acknowledged, refused or out of time."""
        tally = self.tallies[kind]
        attempt: Callable[[], tuple[str, Any] | None] = {
            "survey": self.survey_attempt(),
            "complaint": self.complaint_attempt(),
            "transactions": self.transactions_attempt(),
        }[kind]
        pause = 0.2
        tries = 0
        with self.lock:
            tally.sent += 1
        while True:
            tries += 1
            try:
                stored = attempt()
            except Refused as refused:
                with self.lock:
                    tally.refused[int(str(refused))] += 1
                return
            except (OSError, http.client.HTTPException) as error:
                stored = None
                with self.lock:
                    tally.failures[type(error).__name__] += 1
            if stored is not None:
                key, what = stored
                with self.lock:
                    tally.acknowledged[key] = what
                    tally.latencies.append(time.perf_counter() - scheduled)
                    tally.retries += tries - 1
                return
            if time.perf_counter() - scheduled > self.retry_seconds:
                with self.lock:
                    tally.gave_up += 1
                    tally.retries += tries - 1
                return
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def judge(self, kind: str, status: int) -> None:
        if 400 <= status < 500 and status not in (403, 409, 429):
            raise Refused(str(status))
        with self.lock:
            self.tallies[kind].failures[f"HTTP {status}"] += 1

    def survey_attempt(self) -> Callable[[], tuple[str, Any] | None]:
        path = f"/s/{self.agency.survey_code}/"
        shown: dict[str, str] = {}

        def attempt() -> tuple[str, Any] | None:
            client = self.client()
            if not shown:  # the form as the browser shows it: its CSRF token and its submission key
                status, _headers, page = client.send("GET", path)
                csrf, key = CSRF_FIELD.search(page.decode()), SUBMISSION_FIELD.search(page.decode())
                if status != 200 or csrf is None or key is None:
                    self.judge("survey", status)
                    return None
                shown.update(csrfmiddlewaretoken=csrf.group(1), form_stamp=key.group(1))
            body = urlencode({**ANSWERS, **shown}).encode()
            status, headers, _page = client.send(
                "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
            )
            if status == 200 and b'id="survey-thanks"' in _page:
                # Stored under the stamp's one-time key (issued.key.signature), as the form keys it.
                return "form-" + shown["form_stamp"].split(".")[1], None
            if status == 403:  # the CSRF cookie was lost with the connection's cookies: show the form again
                key = shown["form_stamp"]
                shown.clear()
                status_again, _h, page = client.send("GET", path)
                csrf = CSRF_FIELD.search(page.decode())
                if status_again == 200 and csrf is not None:
                    shown.update(csrfmiddlewaretoken=csrf.group(1), form_stamp=key)
            self.judge("survey", status)
            return None

        return attempt

    def complaint_attempt(self) -> Callable[[], tuple[str, Any] | None]:
        key = uuid.uuid4().hex
        body = json.dumps(COMPLAINT).encode()
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.agency.secret}",
            "Idempotency-Key": key,
        }

        def attempt() -> tuple[str, Any] | None:
            status, _headers, content = self.client().send("POST", "/api/v1/complaints", body, headers)
            if status in (200, 201):
                if status == 200:
                    with self.lock:
                        self.tallies["complaint"].replayed += 1
                return key, json.loads(content)["tracking_number"]
            self.judge("complaint", status)
            return None

        return attempt

    def transactions_attempt(self) -> Callable[[], tuple[str, Any] | None]:
        key = uuid.uuid4().hex[:16]
        started = time.strftime("%Y-%m-%dT%H:%M:%S")
        ids = [f"{key}-{n}" for n in range(self.batch)]
        body = json.dumps(
            {
                "transactions": [
                    {
                        "external_id": external_id,
                        "service": self.agency.service_slug,
                        "channel": "website",
                        "started_at": started,
                        "ended_at": started,
                        "outcome": n % 7 != 0,
                    }
                    for n, external_id in enumerate(ids)
                ]
            }
        ).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.agency.secret}"}

        def attempt() -> tuple[str, Any] | None:
            status, _headers, content = self.client().send(
                "POST", "/api/v1/transactions/batch", body, headers
            )
            answer = json.loads(content) if status == 200 else {}
            if answer.get("received") == len(ids):
                if answer["updated"]:
                    with self.lock:
                        self.tallies["transactions"].replayed += 1
                return key, ids
            self.judge("transactions", status)
            return None

        return attempt


def paced(rate: float, seconds: float, most: int, started: float, submit: Callable[[float], None]) -> None:
    """Submit at `rate` per second from `started` for `seconds`, whatever the answers' pace (an open workload)."""
    if rate <= 0:
        return
    count = min(int(rate * seconds), most)
    for number in range(count):
        scheduled = started + number / rate
        wait = scheduled - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        submit(scheduled)


# --- what was stored ------------------------------------------------------------------------------------------------


def stored(database_url: str, agency: Agency, store: Path) -> dict[str, Counter[str]]:
    """Per kind, how many times each key is stored (transactions: each external id)."""
    import duckdb
    import psycopg

    found: dict[str, Counter[str]] = {}
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT coalesce(idempotency_key, ''), count(*) FROM surveys_response WHERE survey_id = %s GROUP BY 1",
            [agency.survey_id],
        ).fetchall()
        found["survey"] = Counter({key: count for key, count in rows})
        rows = connection.execute(
            "SELECT idempotency_key || ' ' || tracking_number, count(*) FROM complaints_case "
            "WHERE agency_id = %s GROUP BY 1",
            [agency.pk],
        ).fetchall()
        found["complaint"] = Counter({key: count for key, count in rows})
        paths = [
            row[0]
            for row in connection.execute(
                "SELECT DISTINCT path FROM standards_transactionfile WHERE agency_id = %s AND retired_at IS NULL",
                [agency.pk],
            ).fetchall()
        ]
    found["transactions"] = Counter()
    if paths:
        listed = ", ".join("'" + str(store / p).replace("'", "''") + "'" for p in paths)
        with duckdb.connect() as con:
            for external_id, count in con.execute(
                f"SELECT external_id, count(*) FROM read_parquet([{listed}]) GROUP BY 1"  # noqa: S608
            ).fetchall():
                found["transactions"][external_id] = count
    return found


def lost_and_doubled(kind: str, tally: Tally, held: Counter[str]) -> tuple[int, int, int]:
    """(acknowledged but missing, stored twice, stored without being acknowledged) for one kind."""
    if kind == "survey":
        wanted = list(tally.acknowledged)
    elif kind == "complaint":
        wanted = [f"{key} {number}" for key, number in tally.acknowledged.items()]
    else:
        wanted = [external_id for ids in tally.acknowledged.values() for external_id in ids]
    missing = sum(1 for key in wanted if held[key] == 0)
    twice = sum(count - 1 for key, count in held.items() if count > 1)
    if kind == "survey":
        twice += held[""]  # a response stored without the form's key could only be a second copy
    unacknowledged = len(set(held) - set(wanted) - {""})
    return missing, twice, unacknowledged


# --- the run --------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=180.0, help="length of the load (default 180, at most 900)"
    )
    parser.add_argument("--survey-rate", type=float, default=8.0, help="survey submissions per second (8)")
    parser.add_argument("--complaint-rate", type=float, default=4.0, help="complaints per second (4)")
    parser.add_argument("--batch-rate", type=float, default=0.5, help="transaction batches per second (0.5)")
    parser.add_argument("--batch", type=int, default=50, help="transactions per batch (50)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--clients", type=int, default=24, help="client threads sending at once (24)")
    parser.add_argument("--retry-seconds", type=float, default=90.0, help="how long a client retries (90)")
    parser.add_argument("--most", type=int, default=20_000, help="at most this many submissions per endpoint")
    args = parser.parse_args()
    seconds = min(args.seconds, 900.0)

    cluster = Cluster()
    port = free_port()
    store = cluster.folder / "transactions"
    server: subprocess.Popen[bytes] | None = None
    try:
        cluster.start()
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                str(cluster.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                DATABASE,
            ],
            check=True,
        )
        database_url = f"{cluster.url}/{DATABASE}"
        env = {
            **environment(port),
            "DATABASE_URL": database_url,
            "TRANSACTION_STORE": str(store),
            "SURVEY_SUBMISSIONS_PER_MINUTE": "100000000",
        }
        agency = prepare(env)
        server_log = cluster.folder / "gunicorn.log"
        server = start_gunicorn(env, port, args.workers, args.threads, server_log)
        print(
            f"{seconds:g} s at {args.survey_rate:g} survey submissions, {args.complaint_rate:g} complaints and "
            f"{args.batch_rate:g} batches of {args.batch} transactions a second; gunicorn {args.workers} gthread "
            f"workers x {args.threads} threads; PostgreSQL {cluster.bin.parent.name} of its own; loopback",
            flush=True,
        )
        load = Load(port, agency, args.batch, args.retry_seconds)
        events: list[str] = []
        started = time.perf_counter()

        def faults() -> None:
            time.sleep(max(0.0, started + seconds / 3 - time.perf_counter()))
            victims = worker_pids(server.pid) if server is not None else []
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                events.append(
                    f"{time.perf_counter() - started:6.1f} s  SIGKILL to gunicorn worker {victims[0]}"
                )
            time.sleep(max(0.0, started + 2 * seconds / 3 - time.perf_counter()))
            began = time.perf_counter()
            cluster.restart()
            events.append(
                f"{began - started:6.1f} s  PostgreSQL restarted (pg_ctl restart -m fast, "
                f"{time.perf_counter() - began:.1f} s)"
            )

        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            rates = {
                "survey": args.survey_rate,
                "complaint": args.complaint_rate,
                "transactions": args.batch_rate,
            }
            pacers = [
                threading.Thread(
                    target=paced,
                    args=(
                        rates[kind],
                        seconds,
                        args.most,
                        started,
                        lambda scheduled, kind=kind: pool.submit(load.submit, kind, scheduled),
                    ),
                )
                for kind in KINDS
            ]
            fault_thread = threading.Thread(target=faults)
            for thread in [*pacers, fault_thread]:
                thread.start()
            for thread in [*pacers, fault_thread]:
                thread.join()
        elapsed = time.perf_counter() - started
        for line in events:
            print(line)
        held = stored(database_url, agency, store)
        print(
            f"{'endpoint':<14}{'sent':>7}{'acked':>7}{'per s':>7}{'p50 ms':>9}{'p99 ms':>9}{'retries':>9}"
            f"{'gave up':>9}{'refused':>9}   {'acked but missing':>17}{'stored twice':>14}"
        )
        lost_total = doubled_total = 0
        notes = []
        for kind in KINDS:
            tally = load.tallies[kind]
            missing, twice, unacknowledged = lost_and_doubled(kind, tally, held[kind])
            lost_total += missing
            doubled_total += twice
            print(
                f"{kind:<14}{tally.sent:>7}{len(tally.acknowledged):>7}{len(tally.acknowledged) / elapsed:>7.1f}"
                f"{percentile(tally.latencies, 0.5) * 1000:>9.0f}{percentile(tally.latencies, 0.99) * 1000:>9.0f}"
                f"{tally.retries:>9}{tally.gave_up:>9}{sum(tally.refused.values()):>9}   {missing:>17}{twice:>14}"
            )
            if tally.failures:
                notes.append(
                    f"  {kind} attempts that failed and were retried: {dict(tally.failures.most_common())}"
                )
            if tally.replayed:
                notes.append(f"  {kind}: {tally.replayed} retries answered with what was already stored")
            if tally.refused:
                notes.append(f"  {kind} refused (not retried): {dict(tally.refused)}")
            if unacknowledged:
                notes.append(f"  {kind}: {unacknowledged} stored whose client gave up before an answer came")
        print("\n".join(notes))
        logged = server_log.read_text(errors="replace")
        print(
            f"  server log: {logged.count(chr(10))} lines, {logged.count('Traceback')} tracebacks, "
            f"{logged.count('Service Unavailable')} answered 503 (the database unreachable)"
        )
        print(f"acknowledged but missing: {lost_total}   stored twice: {doubled_total}")
        if lost_total or doubled_total:
            sys.exit(1)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        from django.db import connections

        connections.close_all()
        cluster.remove()


if __name__ == "__main__":
    main()
