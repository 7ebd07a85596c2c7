"""Public survey submissions and complaint intake per second, their p50/p99 latency and the server CPU each one costs,
through gunicorn on PostgreSQL, beside two baselines served the same way in the same run: a do-nothing Django view and
a view that only inserts the request body as one row.

    .venv/bin/python benchmarks/survey_submission.py                 # 3 rounds of 6 s per case, every case
    .venv/bin/python benchmarks/survey_submission.py --only surveys  # the baselines and the two survey paths
    .venv/bin/python benchmarks/survey_submission.py --rounds 5 --seconds 5 --workers 2 --clients 16

The rate-limit and spam counters live in the cache every worker shares: by default a Redis started for the run
on its own port (as docs/operations.md advises for production), or with --cache database the `touchstone_cache`
table a deployment without Redis uses.

Server CPU is the user + system time of gunicorn's processes (read from /proc) during the peak run, divided by the
submissions acknowledged in it: unlike throughput it holds still when other work shares the machine. Beside the
clients' p99 at half peak, "server p99" is the p99 of each request's time inside Django (every middleware and the
view), logged by the benchmark site: the clients' figure also counts the time a request waited for a CPU that the
machine's other work held, which on a shared machine can dwarf the server's own latency.

The complete public-form submission is what a person's browser does: GET the form (its CSRF cookie and token), POST
the answers, and whatever follows until the thank-you message is on screen (a redirect's GET, if the POST answers
with one); the three count as one submission, acknowledged only when the thank-you message came back. Each client
is a fresh visit per submission (the form is fetched each time), as hundreds of thousands of people following one
link would be. The form's speed check (answers sent sooner than SURVEY_SECONDS_TO_ANSWER after the form was shown
count towards spam) is set to 0 here: a script answers in microseconds, and would otherwise measure the spam path.

Creates the database touchstone_bench_surveys_<pid> (dropped at the end), migrates it, serves the project with gunicorn
(DEBUG off, connections kept as in production) and drives it from this process over loopback with keep-alive
connections. Survey submissions go to the real path: POST /api/v1/surveys/{id}/responses with a submit token and an
Idempotency-Key, as the mobile apps send them. The cases run flat out (peak) in interleaved rounds, every case once
per round; each ratio to the bare insert is taken within its round and the median over the rounds is reported, so a
burst of other work on the shared machine falls on one round's cases together instead of on one case alone. Then
each case is paced at half its median peak for the p99 a busy day would see. No timing is asserted: runs on these
machines vary by 2x; compare the ratios.

Complaint intake is measured twice. Through the API: POST /api/v1/complaints with a submit token and an
Idempotency-Key. Through the public form, as a browser files one: a multipart POST of the form with its CSRF token,
then the GET of the page the 302 leads to, which shows the tracking number; the pair counts as one intake. Each
client connection is one browser: it fetches the form once for its CSRF cookie and token and keeps its cookies, so
its session row is updated rather than created on each intake (a first-time visitor also costs a session insert).
A complaint counts as acknowledged only when its tracking number came back, and every number that came back must be
a stored case. The agency has handlers and a clock policy, so intake's background completion (routing, clocks,
handler, audit entry) has real work; no task worker runs during the timed runs, and the completion of everything
left pending is timed at the end, in this process, as one worker would do it.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = f"touchstone_bench_surveys_{os.getpid()}"  # its own, so two runs on one server never collide
BODY = {
    "answers": {"satisfaction": 4, "ease": 5, "comment_service": "Quick and kind."},
    "channel": "mobile_app",
}


@dataclass
class Run:
    """One case's peak run in one round: acknowledged per second and CPU seconds per acknowledged submission."""

    per_second: float
    server: float
    database: float
    clients: float
    latencies: list[float]


@dataclass
class Case:
    name: str
    path: str
    headers: Callable[[], dict[str, str]]
    ok_status: frozenset[int] = frozenset({200, 201})
    body: dict[str, Any] = field(default_factory=lambda: BODY)
    public_form: bool = False  # a browser filing the HTML form, then reading the page with the number
    survey_form: bool = False  # a person answering the public survey form: GET, POST, what follows


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    acknowledged: int = 0
    failed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)  # tracking numbers given out

    def merge(self, other: "Tally") -> None:
        """Add `other`'s failures and statuses to these (latencies and numbers are kept by the caller)."""
        self.failed += other.failed
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(port: int, cache_url: str = "") -> dict[str, str]:
    return {
        **os.environ,
        "CACHE_URL": cache_url,
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "SECRET_KEY": "benchmark-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "TOUCHSTONE_TESTING": "false",
        "SECURE_SSL_REDIRECT": "false",  # TLS ends at the proxy in production; here it is plain loopback
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",  # production refuses the console
        # One address sends every request here; the per-address limits would measure the limiter, not intake.
        "SURVEY_SUBMISSIONS_PER_MINUTE": "100000000",
        "COMPLAINT_FILINGS_PER_MINUTE": "100000000",
        "COMPLAINT_API_FILINGS_PER_MINUTE": "100000000",
        "SURVEY_SECONDS_TO_ANSWER": "0",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore:No directory at",  # whitenoise: static files are not collected for this run
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "benchmarks")]),
    }


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def prepare(env: dict[str, str]) -> tuple[int, str, str, str]:
    """Migrate the fresh database and make an agency with complaint handlers and a clock policy, a published A-11
    survey and a submit token."""
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchstone.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from touchstone.core import services as core_services
    from touchstone.core.models import Agency, Membership, Role, User
    from touchstone.surveys.tests.factories import published_survey

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw_submission (id bigserial PRIMARY KEY, body jsonb NOT NULL)")
    agency = Agency.objects.create(name="Benchmark Agency", abbreviation="BEN")
    admin = User.objects.create_user(username="bench-admin", password=uuid.uuid4().hex)
    Membership.objects.create(user=admin, agency=agency, role=Role.ADMIN)
    survey = published_survey(agency)
    _token, secret = core_services.create_api_token(
        actor=admin, agency=agency, name="Load test", scopes=["submit"]
    )
    from touchstone.complaints.models import ServiceLevelPolicy
    from touchstone.complaints.selectors import settings_of

    settings_of(agency)  # complaint settings exist, as in a configured agency
    ServiceLevelPolicy.objects.create(agency=agency, name="Standard")
    for number in range(5):
        handler = User.objects.create_user(username=f"bench-handler-{number}", password=uuid.uuid4().hex)
        Membership.objects.create(user=handler, agency=agency, role=Role.HANDLER)
    connection.close()
    return survey.pk, secret, agency.slug, survey.short_code


def stored_counts(survey_id: int) -> tuple[int, int]:
    from django.db import connection

    from touchstone.surveys.models import Response

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_raw_submission")
        raw = int(cursor.fetchone()[0])
    survey_rows = Response.objects.filter(survey_id=survey_id).count()
    connection.close()
    return survey_rows, raw


def complaint_counts(numbers: list[str]) -> tuple[int, int, int]:
    """Cases filed through the API (they carry an Idempotency-Key), through the form, and how many of the tracking
    numbers given out are stored cases."""
    from django.db import connection

    from touchstone.complaints.models import Case as ComplaintCase

    through_api = ComplaintCase.objects.exclude(idempotency_key="").count()
    through_form = ComplaintCase.objects.filter(idempotency_key="").count()
    found = sum(
        ComplaintCase.objects.filter(tracking_number__in=numbers[start : start + 5000]).count()
        for start in range(0, len(numbers), 5000)
    )
    connection.close()
    return through_api, through_form, found


def complete_pending() -> str:
    """Finish intake of every case left pending, as the task worker would, and say how fast that went."""
    from django.db import connection

    from touchstone.complaints import services
    from touchstone.complaints.models import Case as ComplaintCase

    complete = getattr(services, "complete_pending_intake", None)
    if complete is None:
        return "intake completion: done inline at intake (no background part)"
    pending = ComplaintCase.objects.filter(intake_pending=True).count()
    started = time.perf_counter()
    done = complete(older_than=None, most=pending)
    elapsed = time.perf_counter() - started
    left = ComplaintCase.objects.filter(intake_pending=True).count()
    unassigned = ComplaintCase.objects.filter(handler__isnull=True).count()
    connection.close()
    return (
        f"intake completion in one process: {done:,} cases in {elapsed:.1f} s ({done / elapsed:,.0f} per second); "
        f"still pending: {left}; without a handler: {unassigned}"
    )


COMPLAINT = {
    "narrative": "I applied online in March and have heard nothing. The phone line hangs up after an hour on hold.",
    "channel": "website",
    "remedy_wanted": "A decision on my application.",
    "contact_preference": "email",
    "contact_email": "customer@example.com",
}


FORM_FIELDS = {
    "narrative": COMPLAINT["narrative"],
    "remedy_wanted": COMPLAINT["remedy_wanted"],
    "contact_preference": "email",
    "contact_email": COMPLAINT["contact_email"],
    "state_code": "MD",
}
BOUNDARY = "----touchstonebenchmark7MA4YWxkTrZu0gW"
TRACKING_NUMBER = re.compile(rb'id="tracking-number">([A-Z0-9-]+)<')
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def multipart(fields: dict[str, str]) -> bytes:
    """The form as a browser sends it (the form is multipart for its attachments; none is chosen here)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


class Browser:
    """One person's browser on one keep-alive connection: its cookies and the form's CSRF token."""

    def __init__(self, form_path: str) -> None:
        self.form_path = form_path
        self.cookies: dict[str, str] = {}
        self.body = b""

    def keep_cookies(self, answer: http.client.HTTPResponse) -> None:
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    def open_form(self, connection: http.client.HTTPConnection) -> None:
        connection.request(
            "GET", self.form_path, headers={"Connection": "keep-alive", **self.cookie_header()}
        )
        answer = connection.getresponse()
        page = answer.read()
        self.keep_cookies(answer)
        found = CSRF_FIELD.search(page)
        if answer.status != 200 or found is None:
            raise SystemExit(
                f"the complaint form at {self.form_path} answered {answer.status} without a CSRF token"
            )
        self.body = multipart(FORM_FIELDS | {"csrfmiddlewaretoken": found.group(1).decode()})

    def file(self, connection: http.client.HTTPConnection) -> tuple[int, str | None]:
        """POST the form, follow its redirect; (status, tracking number shown or None)."""
        if not self.body:
            self.open_form(connection)
        connection.request(
            "POST",
            self.form_path,
            body=self.body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Connection": "keep-alive",
                **self.cookie_header(),
            },
        )
        answer = connection.getresponse()
        answer.read()
        self.keep_cookies(answer)
        if answer.status != 302:
            return answer.status, None
        connection.request(
            "GET", answer.headers["Location"], headers={"Connection": "keep-alive", **self.cookie_header()}
        )
        shown = connection.getresponse()
        page = shown.read()
        self.keep_cookies(shown)
        found = TRACKING_NUMBER.search(page)
        return shown.status, found.group(1).decode() if found else None


SURVEY_FORM_ANSWERS = {
    "satisfaction": "4",
    "ease": "5",
    "efficiency": "4",
    "comment_service": "Quick and kind.",
}
THANKS = re.compile(rb'id="survey-thanks"')


class SurveyRespondent:
    """A person following the survey link: a fresh visit each time (no cookies kept), GET, POST, what follows."""

    def __init__(self, form_path: str) -> None:
        self.form_path = form_path
        self.count = 0

    def answer(self, connection: http.client.HTTPConnection) -> tuple[int, bool]:
        connection.request("GET", self.form_path, headers={"Connection": "keep-alive"})
        page = connection.getresponse()
        content = page.read()
        browser = Browser(self.form_path)
        browser.keep_cookies(page)
        self.count += 1
        # People write different comments; one script sending the same answers over and over is scored as spam.
        fields = {**SURVEY_FORM_ANSWERS, "comment_service": f"Quick and kind, visit {self.count}."}
        for name, value in re.findall(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"', content):
            fields[name.decode()] = value.decode()
        found = CSRF_FIELD.search(content)
        if page.status != 200 or found is None:
            return page.status, False
        fields["csrfmiddlewaretoken"] = found.group(1).decode()
        connection.request(
            "POST",
            self.form_path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Connection": "keep-alive",
                "Referer": f"http://{connection.host}:{connection.port}{self.form_path}",
                **browser.cookie_header(),
            },
        )
        answer = connection.getresponse()
        content = answer.read()
        browser.keep_cookies(answer)
        if answer.status in (302, 303):
            connection.request(
                "GET",
                answer.headers["Location"],
                headers={"Connection": "keep-alive", **browser.cookie_header()},
            )
            shown = connection.getresponse()
            content = shown.read()
            return shown.status, shown.status == 200 and bool(THANKS.search(content))
        return answer.status, answer.status == 200 and bool(THANKS.search(content))


def server_cpu_seconds(master: int) -> float:
    """User + system CPU seconds of gunicorn's master and its workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master]
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    pids.extend(int(pid) for pid in children)
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def database_cpu_seconds() -> dict[int, float]:
    """User + system CPU seconds so far of each PostgreSQL backend serving the benchmark's database (Linux /proc:
    the server runs on this machine); the connection asking is left out."""
    import psycopg

    ticks = os.sysconf("SC_CLK_TCK")
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as connection:
        pids = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DATABASE]
            )
        ]
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def database_cpu_since(before: dict[int, float]) -> float:
    """CPU seconds the benchmark database's backends spent since `before` (a backend started since counts whole)."""
    return sum(now - before.get(pid, 0.0) for pid, now in database_cpu_seconds().items())


def start_redis() -> tuple[subprocess.Popen[bytes], str]:
    """A Redis of this run's own, in memory only, on a free loopback port."""
    port = free_port()
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed; run with --cache database")
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("redis-server did not start within 10 s")


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "touchstone.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "survey_submission_site"},
    )
    deadline = time.monotonic() + 120  # a busy machine imports Django slowly
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/nothing/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 120 s")


def drive(
    port: int, case: Case, *, clients: int, seconds: float, rate: float | None = None, most: int = 2_000_000
) -> tuple[Tally, float]:
    """Send POSTs from `clients` threads over keep-alive connections for `seconds` (and at most `most` requests).
    Without a rate, each client sends as soon as its last answer came (peak); with one, requests are sent on a
    schedule and latency counts from the scheduled moment, so a slow answer is not hidden by waiting for it."""
    tallies = [Tally() for _ in range(clients)]
    sent = [0]
    lock = threading.Lock()
    body = json.dumps(case.body).encode()
    started = time.perf_counter()
    stop = started + seconds
    interval = clients / rate if rate else 0.0

    def client(number: int) -> None:
        tally = tallies[number]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        browser = Browser(case.path) if case.public_form else None
        respondent = SurveyRespondent(case.path) if case.survey_form else None
        next_at = started + interval * number / clients
        while True:
            if rate:
                now = time.perf_counter()
                if next_at > now:
                    time.sleep(next_at - now)
                scheduled, next_at = next_at, next_at + interval
            else:
                scheduled = time.perf_counter()
            if scheduled >= stop:
                break
            with lock:
                if sent[0] >= most:
                    break
                sent[0] += 1
            headers = {"Content-Type": "application/json", "Connection": "keep-alive", **case.headers()}
            tracking_number: str | None = None
            try:
                thanked = False
                if respondent is not None:
                    status, thanked = respondent.answer(connection)
                elif browser is not None:
                    status, tracking_number = browser.file(connection)
                else:
                    connection.request("POST", case.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    content = answer.read()
                    status = answer.status
                    if (
                        status in case.ok_status
                        and content.startswith(b"{")
                        and b'"tracking_number"' in content
                    ):
                        tracking_number = json.loads(content)["tracking_number"]
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                tally.failed += 1
                continue
            tally.latencies.append(time.perf_counter() - scheduled)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if (
                status in case.ok_status
                and (browser is None or tracking_number)
                and (respondent is None or thanked)
            ):
                tally.acknowledged += 1
                if tracking_number:
                    tally.numbers.append(tracking_number)
            else:
                tally.failed += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = Tally()
    for tally in tallies:
        total.latencies.extend(tally.latencies)
        total.acknowledged += tally.acknowledged
        total.failed += tally.failed
        total.numbers.extend(tally.numbers)
        for status, count in tally.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + count
    return total, elapsed


def server_times(log: Path, offset: int, prefix: str) -> tuple[list[float], int]:
    """Seconds inside the server of the requests logged since `offset` whose path starts with `prefix`."""
    with log.open("rb") as lines:
        lines.seek(offset)
        content = lines.read()
    times = []
    for line in content.splitlines():
        path, _, micros = line.decode().rpartition(" ")
        if path.startswith(prefix):
            times.append(int(micros) / 1_000_000)
    return times, offset + len(content)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=6.0,
        help="seconds per case in each round, and at half peak (default 6)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds of every case at peak (default 3)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--clients", type=int, default=16, help="keep-alive connections sending (default 16)")
    parser.add_argument("--most", type=int, default=500_000, help="at most this many requests per run")
    parser.add_argument(
        "--only", choices=["all", "surveys"], default="all", help="surveys: leave complaint intake out"
    )
    parser.add_argument(
        "--cache",
        choices=["redis", "database"],
        default="redis",
        help="where the shared counters live: a Redis started for the run (default) or the database table",
    )
    args = parser.parse_args()

    port = free_port()
    redis = None
    cache_url = ""
    if args.cache == "redis":
        redis, cache_url = start_redis()
    env = environment(port, cache_url)
    times_log = Path(f"/tmp/{DATABASE}_server_times.log")  # noqa: S108 - this run's own, removed at the end
    times_log.write_bytes(b"")
    env["BENCH_SERVER_TIMES"] = str(times_log)
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE}")
    admin_sql(f"CREATE DATABASE {DATABASE}")
    server = None
    try:
        survey_id, secret, agency_slug, short_code = prepare(env)
        server = start_gunicorn(env, port, args.workers, args.threads)
        cases = [
            Case("do-nothing view", "/bench/nothing/", dict),
            Case("bare insert of the body", "/bench/insert/", dict),
            Case(
                "survey submission (API)",
                f"/api/v1/surveys/{survey_id}/responses",
                lambda: {"Authorization": f"Bearer {secret}", "Idempotency-Key": uuid.uuid4().hex},
            ),
            Case(
                "survey form (GET+POST+after)",
                f"/s/{short_code}/",
                dict,
                ok_status=frozenset({200}),
                survey_form=True,
            ),
        ]
        if args.only == "all":
            cases += [
                Case(
                    "complaint intake (API)",
                    "/api/v1/complaints",
                    lambda: {"Authorization": f"Bearer {secret}", "Idempotency-Key": uuid.uuid4().hex},
                    body=COMPLAINT,
                ),
                Case(
                    "complaint intake (form)",
                    f"/agencies/{agency_slug}/complaints/new/",
                    dict,
                    ok_status=frozenset({200}),
                    public_form=True,
                ),
            ]
        print(
            f"gunicorn {args.workers} gthread workers x {args.threads} threads, PostgreSQL, cache in {args.cache}, "
            f"{args.clients} keep-alive clients in one Python process, {args.rounds} rounds of {args.seconds:g} s "
            "per case at peak, then one at half peak, loopback"
        )
        # Interleaved rounds: every case runs once per round, and each ratio is taken within its round, so a burst
        # of other work on the shared machine weighs on one round's cases together rather than on one case alone;
        # the median over the rounds is reported.
        runs: dict[str, list[Run]] = {case.name: [] for case in cases}
        acknowledged: dict[str, int] = {case.name: 0 for case in cases}
        failures: dict[str, Tally] = {case.name: Tally() for case in cases}
        numbers: list[str] = []
        for case in cases:
            warm, _ = drive(port, case, clients=args.clients, seconds=1.0, most=args.most)
            acknowledged[case.name] += warm.acknowledged
            numbers.extend(warm.numbers)
        for _round in range(args.rounds):
            for case in cases:
                cpu_before = server_cpu_seconds(server.pid)
                database_before = database_cpu_seconds()
                client_before = time.process_time()
                tally, elapsed = drive(port, case, clients=args.clients, seconds=args.seconds, most=args.most)
                done = max(tally.acknowledged, 1)
                runs[case.name].append(
                    Run(
                        per_second=tally.acknowledged / elapsed,
                        server=(server_cpu_seconds(server.pid) - cpu_before) / done,
                        database=database_cpu_since(database_before) / done,
                        clients=(time.process_time() - client_before) / done,
                        latencies=tally.latencies,
                    )
                )
                acknowledged[case.name] += tally.acknowledged
                numbers.extend(tally.numbers)
                failures[case.name].merge(tally)
        peak = {name: median([run.per_second for run in measured]) for name, measured in runs.items()}
        cpu = {name: median([run.server for run in measured]) for name, measured in runs.items()}
        database_cpu = {name: median([run.database for run in measured]) for name, measured in runs.items()}
        client_cpu = {name: median([run.clients for run in measured]) for name, measured in runs.items()}
        print(
            f"{'case':<30}{'per s':>8}{'p50 ms':>8}{'p99 ms':>8}{'CPU ms':>8}"
            f"   at half peak: {'per s':>7}{'p50 ms':>8}{'p99 ms':>8}{'server p99':>11}"
        )
        p99_half: dict[str, float] = {}
        server_p99_half: dict[str, float] = {}
        for case in cases:
            _, logged = server_times(times_log, 0, "")
            half, half_elapsed = drive(
                port,
                case,
                clients=args.clients,
                seconds=args.seconds,
                rate=peak[case.name] / 2,
                most=args.most,
            )
            p99_half[case.name] = percentile(half.latencies, 0.99)
            inside, _ = server_times(times_log, logged, case.path)
            server_p99_half[case.name] = percentile(inside, 0.99)
            acknowledged[case.name] += half.acknowledged
            numbers.extend(half.numbers)
            failures[case.name].merge(half)
            pooled = [latency for run in runs[case.name] for latency in run.latencies]
            failed = failures[case.name]
            print(
                f"{case.name:<30}{peak[case.name]:>8,.0f}{percentile(pooled, 0.5) * 1000:>8.1f}"
                f"{percentile(pooled, 0.99) * 1000:>8.1f}{cpu[case.name] * 1000:>8.2f}"
                f"   {'':>14}{half.acknowledged / half_elapsed:>7,.0f}"
                f"{percentile(half.latencies, 0.5) * 1000:>8.1f}{p99_half[case.name] * 1000:>8.1f}"
                f"{server_p99_half[case.name] * 1000:>11.1f}"
                + (
                    f"   ({failed.failed} failed: {dict(sorted(failed.statuses.items()))})"
                    if failed.failed
                    else ""
                )
            )
        bare = cases[1].name

        def within_rounds(name: str, measure: Callable[[Run], float]) -> list[float]:
            """The case's figure over the bare insert's in the same round, one per round."""
            return [measure(run) / measure(base) for run, base in zip(runs[name], runs[bare], strict=True)]

        def spread(values: list[float]) -> str:
            return f"median of {len(values)} rounds; rounds {min(values):.2f} to {max(values):.2f}"

        def aim(met: bool) -> str:
            return "met" if met else "NOT MET"

        nothing, insert, survey, form = (peak[c.name] for c in cases[:4])
        form_rounds = within_rounds(cases[3].name, lambda run: run.per_second)
        form_cpu_rounds = within_rounds(cases[3].name, lambda run: run.server)
        survey_rounds = within_rounds(cases[2].name, lambda run: run.per_second)
        survey_cpu_rounds = within_rounds(cases[2].name, lambda run: run.server)
        form_ratio, form_cpu = median(form_rounds), median(form_cpu_rounds)
        survey_ratio, survey_p99 = median(survey_rounds), p99_half[cases[2].name] * 1000
        survey_server_p99 = server_p99_half[cases[2].name] * 1000
        print(
            f"survey form / bare insert: {form_ratio:.2f} of its throughput (aim at least 0.25: "
            f"{aim(form_ratio >= 0.25)}; {spread(form_rounds)}), {form_cpu:.1f} times its CPU per submission "
            f"(aim at most 4: {aim(form_cpu <= 4)}; {spread(form_cpu_rounds)})"
        )
        print(
            f"survey API / bare insert:  {survey_ratio:.2f} of its throughput (aim at least 0.7: "
            f"{aim(survey_ratio >= 0.7)}; {spread(survey_rounds)}), {median(survey_cpu_rounds):.1f} times its CPU, "
            f"p99 at half peak {survey_p99:.1f} ms as the clients saw it (aim under 50: {aim(survey_p99 < 50)}), "
            f"{survey_server_p99:.1f} ms inside the server (aim under 50: {aim(survey_server_p99 < 50)})"
        )
        print(
            "(server p99: each request's time inside Django, every middleware and the view, logged by the benchmark "
            "site; unlike the clients' p99 it leaves out the time a request waited for a CPU that other work on "
            f"the machine held. Load average now: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}; "
            "for the survey form, per HTTP request, not per submission)"
        )
        print(
            "CPU ms per submission at peak (medians over the rounds), beside the server's: PostgreSQL's backends, "
            "and this process's clients (all three share the two cores, so their sum sets the throughput)"
        )
        print(f"{'case':<30}{'server':>8}{'database':>10}{'clients':>9}{'sum':>8}{'sum / bare insert':>19}")
        whole = {name: cpu[name] + database_cpu[name] + client_cpu[name] for name in cpu}
        for name in cpu:
            print(
                f"{name:<30}{cpu[name] * 1000:>8.2f}{database_cpu[name] * 1000:>10.2f}"
                f"{client_cpu[name] * 1000:>9.2f}{whole[name] * 1000:>8.2f}{whole[name] / whole[bare]:>19.2f}"
            )
        print(f"ratio survey API / do-nothing:  {survey / nothing:.2f}")
        print(f"ratio bare insert / do-nothing: {insert / nothing:.2f}")
        if args.only == "all":
            complaint, complaint_form = peak[cases[4].name], peak[cases[5].name]
            print(f"ratio complaint intake / bare insert: {complaint / insert:.2f}   (aim: at least 0.5)")
            print(
                f"ratio complaint form (POST + page with the number) / bare insert: {complaint_form / insert:.2f}"
            )
        survey_rows, raw_rows = stored_counts(survey_id)
        survey_acks = acknowledged[cases[2].name] + acknowledged[cases[3].name]
        raw_acks = acknowledged[cases[1].name]
        print(
            f"survey responses acknowledged (API + form): {survey_acks:,}   rows stored: {survey_rows:,}   "
            + ("equal" if survey_acks == survey_rows else "NOT EQUAL")
        )
        print(
            f"bare inserts acknowledged:     {raw_acks:,}   rows stored: {raw_rows:,}   "
            + ("equal" if raw_acks == raw_rows else "NOT EQUAL")
        )
        if args.only == "all":
            api_rows, form_rows, found = complaint_counts(numbers)
            for label, acks, rows in (
                ("complaints acknowledged (API): ", acknowledged[cases[4].name], api_rows),
                ("complaints acknowledged (form):", acknowledged[cases[5].name], form_rows),
            ):
                print(
                    f"{label} {acks:,}   rows stored: {rows:,}   "
                    + ("equal" if acks == rows else "NOT EQUAL")
                )
            print(
                f"tracking numbers given out:    {len(numbers):,}   stored: {found:,}   "
                + ("all" if found == len(numbers) else "SOME MISSING")
            )
            print(complete_pending())
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        times_log.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
