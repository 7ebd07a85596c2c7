"""Where the server's CPU goes in one survey submission through the API: cProfile around the project's own WSGI
handler (every middleware, django-ninja, the insert), warm, many submissions in one process, beside the bare-insert
view of survey_submission_site.py called the same way.

    .venv/bin/python benchmarks/profile_survey_api.py                    # 2,000 of each, top 40 by own time
    .venv/bin/python benchmarks/profile_survey_api.py --count 5000 --top 60 --sort cumulative

Creates the database touchstone_bench_profile_<pid> (dropped at the end) on the local PostgreSQL, migrates it and
makes an agency, a published A-11 survey and a submit token, as the load benchmark does. Prints the wall time per
call of each (one process, one thread: no network, no contention) and the profile of the API submissions.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import survey_submission as load  # noqa: E402 - the load benchmark's setup, shared

load.DATABASE = f"touchstone_bench_profile_{os.getpid()}"


def environ(
    path: str,
    body: bytes,
    headers: dict[str, str],
    method: str = "POST",
    content_type: str = "application/json",
) -> dict[str, Any]:
    values = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    values.update({"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()})
    return values


def _agency() -> Any:
    from touchstone.core.models import Agency

    return Agency.objects.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="calls of each (default 2000)")
    parser.add_argument("--top", type=int, default=40, help="rows of the profile to print (default 40)")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (default tottime)")
    parser.add_argument(
        "--profile",
        choices=["api", "form"],
        default="api",
        help="profile the API or the public form (GET+POST)",
    )
    parser.add_argument("--callees", default="", help="also print what the functions matching this call")
    args = parser.parse_args()

    env = load.environment(80, "redis://127.0.0.1:6379/7")  # the counters in Redis, as on the load benchmark
    load.admin_sql(f"DROP DATABASE IF EXISTS {load.DATABASE}")
    load.admin_sql(f"CREATE DATABASE {load.DATABASE}")
    try:
        survey_id, secret, _slug, code = load.prepare(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "survey_submission_site"
        from django.conf import settings

        settings.ROOT_URLCONF = "survey_submission_site"
        import survey_submission_site as site

        settings.STORAGES = (
            site.STORAGES
        )  # no collected manifest in this run, as on the load benchmark's server
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
        body = json.dumps(load.BODY).encode()
        statuses: dict[str, int] = {}

        def call(
            path: str,
            headers: dict[str, str],
            method: str = "POST",
            payload: bytes = body,
            content_type: str = "application/json",
        ) -> tuple[bytes, dict[str, str]]:
            cookies: dict[str, str] = {}

            def start(status: str, headers: list[tuple[str, str]]) -> None:
                statuses[status] = statuses.get(status, 0) + 1
                for name, value in headers:
                    if name.lower() == "set-cookie":
                        cookie = value.split(";", 1)[0]
                        cookies[cookie.split("=", 1)[0]] = cookie.split("=", 1)[1]

            result = application(environ(path, payload, headers, method, content_type), start)
            content = b"".join(result)
            getattr(result, "close", lambda: None)()
            return content, cookies

        form_path = f"/s/{code}/"
        visits = [0]

        def answer_form() -> None:  # a person's fresh visit, as the load benchmark's SurveyRespondent
            page, cookies = call(form_path, {}, method="GET", payload=b"")
            visits[0] += 1
            fields = {**load.SURVEY_FORM_ANSWERS, "comment_service": f"Quick and kind, visit {visits[0]}."}
            for name, value in re.findall(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
                fields[name.decode()] = value.decode()
            found = load.CSRF_FIELD.search(page)
            assert found is not None, page[:500]
            fields["csrfmiddlewaretoken"] = found.group(1).decode()
            thanks, _ = call(
                form_path,
                {
                    "Referer": f"http://127.0.0.1{form_path}",
                    "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                },
                payload=urlencode(fields).encode(),
                content_type="application/x-www-form-urlencoded",
            )
            assert load.THANKS.search(thanks), thanks[:800]

        api = f"/api/v1/surveys/{survey_id}/responses"

        def submit() -> None:
            call(api, {"Authorization": f"Bearer {secret}", "Idempotency-Key": uuid.uuid4().hex})

        def insert() -> None:
            call("/bench/insert/", {})

        for _ in range(200):  # warm: imports, memos, prepared connections
            submit()
            insert()
            answer_form()
        from touchstone.surveys import services
        from touchstone.surveys.models import Response
        from touchstone.surveys.selectors import survey_for_submission

        survey = survey_for_submission(_agency(), survey_id)

        def record() -> None:  # the service alone: the answers checked and stored, no HTTP, no API framework
            services.record_response(
                survey=survey,
                raw=load.BODY["answers"],
                source=Response.Source.API,
                context={"channel": load.BODY["channel"]},
                idempotency_key=uuid.uuid4().hex,
                strict_keys=True,
            )

        def nothing() -> None:
            call("/bench/nothing/", {})

        # Rounds interleaved, the least of each kept: another process's burst inflates one round, not all.
        cases = (
            ("do-nothing", nothing),
            ("bare insert", insert),
            ("survey API", submit),
            ("service only", record),
            ("survey form", answer_form),
        )
        timings = {name: float("inf") for name, _ in cases}
        for _round in range(10):
            for name, one in cases:
                started = time.process_time()
                for _ in range(args.count // 10):
                    one()
                timings[name] = min(timings[name], (time.process_time() - started) / (args.count // 10))
        print(f"statuses: {statuses}")
        for name, seconds in timings.items():
            print(f"{name:<12} {seconds * 1000:.3f} ms of this process's CPU per call")
        print(f"survey API / bare insert: {timings['survey API'] / timings['bare insert']:.2f} times the CPU")
        print(
            f"survey form / bare insert: {timings['survey form'] / timings['bare insert']:.2f} times the CPU"
        )
        profiled = answer_form if args.profile == "form" else submit
        profiler = cProfile.Profile(time.process_time)  # CPU time, not time spent waiting on PostgreSQL
        profiler.enable()
        for _ in range(args.count):
            profiled()
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs().sort_stats(args.sort)
        stats.print_stats(args.top)
        if args.callees:
            stats.print_callees(args.callees)
    finally:
        from django.db import connections

        connections.close_all()
        load.admin_sql(f"DROP DATABASE IF EXISTS {load.DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
