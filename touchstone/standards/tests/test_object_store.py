"""Past one machine: the transaction store and attachments in an S3-compatible bucket (SeaweedFS in these tests),
shared by every app server, each keeping its own local cache."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import duckdb
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from touchstone.conftest import ObjectStoreServer, Personas, object_store_keys
from touchstone.core import objectstore
from touchstone.core.importing import run_import
from touchstone.settings import media_in_object_store
from touchstone.standards import store
from touchstone.standards.models import PeriodResult
from touchstone.standards.tests.helpers import held, make_service, make_standard, write_transactions

MARCH = [
    ["r1", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""],
    ["r2", "refunds", "phone", "2024-03-11 09:00", "2024-03-12 09:00", "", "", ""],
]
APRIL = [
    ["r2", "refunds", "phone", "2024-04-02 09:00", "2024-04-12 09:00", "", "", ""],
    ["r3", "refunds", "website", "2024-04-03 09:00", "2024-04-04 09:00", "", "", ""],
]


@contextmanager
def app_server(cache: Path) -> Iterator[Path]:
    """Act as an app server whose local cache of the store is this folder (a second machine has its own)."""
    previous = settings.TRANSACTION_STORE
    settings.TRANSACTION_STORE = cache
    try:
        yield cache
    finally:
        settings.TRANSACTION_STORE = previous


def test_two_app_servers_share_one_object_store(
    personas: Personas, tmp_path: Path, object_store: str
) -> None:
    agency = personas.agency_a
    standard = make_standard(agency, make_service(agency), measure="calendar_days", threshold=3.0)
    with app_server(tmp_path / "server-1"):
        run_import("transactions", write_transactions(tmp_path / "march.csv", MARCH), agency=agency)
    with app_server(tmp_path / "server-2") as second:
        assert not second.exists() or not list(second.glob("*/*.parquet"))
        assert held(agency, "r1")["ended_at"] == "2024-03-05T09:00:00"  # read from the bucket
        # The second server's load replaces r2, held in the first server's file.
        outcome = run_import("transactions", write_transactions(tmp_path / "april.csv", APRIL), agency=agency)
        assert (outcome.summary["created"], outcome.summary["updated"]) == (1, 1)
    with app_server(tmp_path / "server-1"):
        assert store.transaction_count(agency) == 3
        assert held(agency, "r2")["started_at"] == "2024-04-02T09:00:00"  # the second server's file
    results = {r.label: (r.volume_met, r.total) for r in PeriodResult.objects.filter(standard=standard)}
    assert results == {"2024-03": (1, 1), "2024-04": (1, 2)}


def test_the_bucket_holds_plain_parquet_files_other_engines_read(
    personas: Personas, tmp_path: Path, object_store: str, object_store_server: ObjectStoreServer
) -> None:
    agency = personas.agency_a
    make_service(agency)
    run_import("transactions", write_transactions(tmp_path / "march.csv", MARCH), agency=agency)
    (name,) = object_store_keys("transactions")
    assert name.startswith(f"{agency.pk}/") and name.endswith(".parquet")
    client = boto3.client(
        "s3",
        endpoint_url=object_store_server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    fetched = tmp_path / "fetched.parquet"
    location = objectstore.parse_url(object_store)
    client.download_file(location.bucket, location.key("transactions", name), str(fetched))
    rows = duckdb.sql(f"SELECT external_id FROM read_parquet('{fetched}') ORDER BY 1").fetchall()
    assert rows == [("r1",), ("r2",)]


def test_the_sweep_deletes_retired_objects_and_orphans_from_the_bucket(
    personas: Personas, tmp_path: Path, object_store: str
) -> None:
    agency = personas.agency_a
    make_service(agency)
    run_import("transactions", write_transactions(tmp_path / "a.csv", MARCH), agency=agency)
    run_import("transactions", write_transactions(tmp_path / "b.csv", MARCH), agency=agency)  # replaces both
    orphan = tmp_path / "orphan.parquet"
    orphan.write_bytes(b"PAR1")
    objectstore.upload(orphan, store.object_key(f"{agency.pk}/left-by-a-crash.parquet"))
    assert len(object_store_keys("transactions")) == 3
    store.sweep(now=timezone.now() + dt.timedelta(hours=2))
    live = sorted(f.path for f in store.live_files(agency))
    assert object_store_keys("transactions") == sorted([*live, f"{agency.pk}/left-by-a-crash.parquet"])
    store.sweep(now=timezone.now() + dt.timedelta(days=2))
    assert object_store_keys("transactions") == live


def test_readiness_fails_while_the_bucket_cannot_be_reached(object_store: str) -> None:
    store.check_reachable()
    settings.OBJECT_STORE_URL = "s3://no-such-bucket-here"
    with pytest.raises(Exception, match="404|Not Found|NoSuchBucket"):
        store.check_reachable()


def test_attachments_go_to_the_same_bucket_under_media(object_store: str) -> None:
    assert settings.STORAGES["default"] == media_in_object_store(object_store, settings.OBJECT_STORE_OPTIONS)
    name = default_storage.save("attachments/receipt.txt", ContentFile(b"a receipt"))
    with default_storage.open(name) as stored:
        assert stored.read() == b"a receipt"
    assert name in object_store_keys("media")


def test_an_object_store_address_that_is_not_s3_is_refused() -> None:
    with pytest.raises(ValueError, match="write s3://bucket or s3://bucket/prefix"):
        objectstore.parse_url("https://bucket.example.com/prefix")


def test_settings_refuse_an_object_store_address_that_is_not_s3() -> None:
    from touchstone.core.tests.test_settings import load_settings

    result = load_settings(DEBUG="true", OBJECT_STORE_URL="minio://bucket")
    assert result.returncode != 0
    assert "OBJECT_STORE_URL='minio://bucket' is not an object store address" in result.stderr


def test_an_upload_received_by_one_server_is_loaded_by_a_worker_on_another(
    personas: Personas, tmp_path: Path, object_store: str, django_capture_on_commit_callbacks: object
) -> None:
    import csv
    import io

    from touchstone.core import services as core_services
    from touchstone.core.models import ImportRun
    from touchstone.core.tasks import run_import_task
    from touchstone.standards.tests.helpers import HEADER

    agency = personas.agency_a
    make_service(agency)
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *MARCH])
    with (
        app_server(tmp_path / "web-server"),
        override_settings(MEDIA_ROOT=tmp_path / "web-media"),
        django_capture_on_commit_callbacks(execute=False),  # type: ignore[operator]
    ):
        run = core_services.start_import(
            actor=None,
            agency=agency,
            kind="transactions",
            upload=io.BytesIO(text.getvalue().encode()),
            original_name="march.csv",
        )
    Path(run.file_path).unlink()  # the worker's machine never had the web server's copy
    with app_server(tmp_path / "worker"):
        run_import_task.call(run.pk)
        run.refresh_from_db()
        assert run.status == ImportRun.Status.SUCCEEDED, run.errors
        assert store.transaction_count(agency) == 2
    assert object_store_keys("imports") == []  # the worker deleted the file it was sent once it had loaded it
