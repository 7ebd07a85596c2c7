"""Every import kind, sent wrongly encoded, truncated, oversized and bomb files through the upload path, ends in a clear
error (with its line where the file has lines), the run marked failed, and the database unchanged, within fixed
memory and time limits."""

import io
import random
import resource
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from touchstone.api.tests.test_api import bearer
from touchstone.benchmarks.importers import REQUIRED as BENCHMARK_COLUMNS
from touchstone.catalog.canada import REQUIRED_COLUMNS as CANADA_INVENTORY_COLUMNS
from touchstone.catalog.importers import CATALOG_COLUMNS, TOUCHPOINTS_COLUMNS
from touchstone.complaints.importers import REQUIRED as CFPB_COLUMNS
from touchstone.conftest import Personas, make_user
from touchstone.core import services
from touchstone.core.importing import IMPORTERS
from touchstone.core.models import AuditEntry, ImportRun
from touchstone.core.tasks import UNEXPECTED_FAILURE
from touchstone.standards.importers import CANADA_COLUMNS, REQUIRED_COLUMNS

# Per file: Python's own allocations (tracemalloc) and the wall clock. The bombs here would take gigabytes and
# minutes unguarded.
MEMORY_LIMIT = 96 * 1024 * 1024
SECONDS_LIMIT = 30
# The process's own high-water mark too (DuckDB and zlib allocate outside Python): it may not rise by more.
RESIDENT_GROWTH_LIMIT = 512 * 1024 * 1024

CSV_HEADERS: dict[str, list[str]] = {
    "benchmarks": BENCHMARK_COLUMNS,
    "canada-agencies": ["owner_org", "owner_org_title"],
    "canada-services": CANADA_INVENTORY_COLUMNS,
    "canada-standards": CANADA_COLUMNS,
    "catalog": CATALOG_COLUMNS,
    "cfpb": CFPB_COLUMNS,
    "employee-roster": ["email", "office"],
    "odk-responses": ["meta/instanceID", "_submission_time", "satisfaction"],
    "survey-responses": ["survey", "satisfaction"],
    "touchpoints-services": TOUCHPOINTS_COLUMNS,
    "transactions": REQUIRED_COLUMNS,
}


def test_every_import_kind_is_fuzzed() -> None:
    covered = set(CSV_HEADERS) | {"openslo", "xlsform"}
    assert covered == set(IMPORTERS), "a new import kind needs its place in this fuzz"


@dataclass(frozen=True)
class Case:
    name: str
    file_name: str
    data: bytes
    line: int | None  # the line the error must name; None for a file without lines
    words: str = ""  # words the first problem at that line (or any problem) must hold


def csv_text(kind: str, last_row: str) -> str:
    header = CSV_HEADERS[kind]
    second = ",".join("x" for _ in header)
    return ",".join(header) + "\n" + second + "\n" + last_row + "\n"


def csv_cases(kind: str) -> Iterator[Case]:
    header = CSV_HEADERS[kind]
    width = len(header)
    plain_row = ",".join(["caf\u00e9"] + ["x"] * (width - 1))
    yield Case("latin-1", "data.csv", csv_text(kind, plain_row).encode("latin-1"), 3, "UTF-8")
    yield Case("windows-1252", "data.csv", csv_text(kind, plain_row).encode("cp1252"), 3, "UTF-8")
    yield Case(
        "utf-16 without a byte-order mark", "data.csv", csv_text(kind, plain_row).encode("utf-16-le"), 1
    )
    cut = csv_text(kind, plain_row).encode()
    yield Case("truncated in a row", "data.csv", cut[: cut.rindex(b"\n", 0, -1) + 3], 3)
    yield Case("a quote that never closes", "data.csv", csv_text(kind, '"never closed').encode(), 3)
    huge = ",".join(["y" * 300_000] + ["x"] * (width - 1))
    yield Case("a 300 KB value", "data.csv", csv_text(kind, huge).encode(), 3)
    yield Case("empty", "data.csv", b"", None)
    yield Case("binary noise", "data.csv", random.Random(kind).randbytes(4096), None)


def workbook_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "comment", "Tell us more"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """An .xlsx-shaped zip whose one sheet unpacks to 200 MB (about 200 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"<c><v>0</v></c>" * 65536
            for _ in range(200 * 1024 * 1024 // len(block)):
                member.write(block)
    return buffer.getvalue()


YAML_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [
        f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join(f"*{chr(97 + n)}" for _ in range(10)) + "]"
        for n in range(8)
    ]
    + ["apiVersion: openslo/v1", "kind: SLO", "spec: *i"]
).encode()


def document_cases(kind: str) -> Iterator[Case]:
    deep = b"[" * 100_000 + b"]" * 100_000
    if kind == "openslo":
        yield Case(
            "latin-1",
            "slo.yaml",
            "apiVersion: openslo/v1\nkind: SLO\n# caf\u00e9\n".encode("latin-1"),
            None,
            "UTF-8",
        )
        yield Case("truncated", "slo.yaml", b'apiVersion: openslo/v1\nkind: SLO\nspec: {service: "pass', 3)
        yield Case("not a mapping", "slo.json", b'"just a string"', None)
        yield Case(
            "wrong shapes",
            "slo.json",
            b'{"apiVersion": "openslo/v1", "kind": "SLO", "metadata": 5, '
            b'"spec": {"objectives": "all", "timeWindow": 7, "service": [1]}}',
            1,
        )
        yield Case("an anchor and alias bomb", "slo.yaml", YAML_BOMB, None, "anchors")
        yield Case("nested too deep", "slo.json", deep, None)
        yield Case("empty", "slo.yaml", b"", None)
    if kind == "catalog":
        yield Case("latin-1 json", "catalog.json", '{"format": "caf\u00e9"}'.encode("latin-1"), None, "UTF-8")
        yield Case("truncated json", "catalog.json", b'{"format": "touchstone-catalog", "services": [{"na', 1)
        yield Case("nested too deep", "catalog.json", deep, None)
    if kind == "xlsform":
        good = workbook_bytes()
        yield Case("a text file", "form.xlsx", "type,name\ncaf\u00e9".encode("latin-1"), None, ".xlsx")
        yield Case("truncated", "form.xlsx", good[: len(good) // 2], None, ".xlsx")
        yield Case("a zip bomb", "form.xlsx", zip_bomb(), None, "unpacks")
        yield Case("empty", "form.xlsx", b"", None)
    if kind == "transactions":
        import duckdb

        path = Path(settings.MEDIA_ROOT) / "sample.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect() as con:
            con.execute(
                "COPY (SELECT 'id' || range AS external_id, 'svc' AS service, 'website' AS channel, "
                f"'2025-01-01' AS started_at FROM range(1000)) TO '{path}' (FORMAT parquet)"
            )
        whole = path.read_bytes()
        yield Case("truncated parquet", "data.parquet", whole[: len(whole) // 2], None)
        yield Case("parquet that is text", "data.parquet", b"external_id,service\n1,2\n", None)


def every_case() -> Iterator[tuple[str, Callable[[], Iterator[Case]]]]:
    for kind in sorted(IMPORTERS):
        if kind in CSV_HEADERS:
            yield kind, lambda kind=kind: csv_cases(kind)  # type: ignore[misc]
        yield kind, lambda kind=kind: document_cases(kind)  # type: ignore[misc]


def row_counts() -> dict[str, int]:
    counted = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    counted.pop(ImportRun._meta.label)
    counted[AuditEntry._meta.label] = AuditEntry.objects.exclude(action="started import").count()
    return counted


def store_files() -> set[Path]:
    root = Path(settings.TRANSACTION_STORE)
    return (
        {path for path in root.rglob("*") if path.is_file() and "_scratch" not in path.parts}
        if root.exists()
        else set()
    )


@pytest.fixture
def uploads(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_every_bad_file_ends_in_a_clear_error_and_changes_nothing(
    personas: Personas, uploads: Path, django_capture_on_commit_callbacks: Any, kind: str
) -> None:
    cases = [case for name, make in every_case() if name == kind for case in make()]
    assert cases
    agency = personas.agency_a if IMPORTERS[kind].needs_agency else None
    # The installation-wide kinds are run by installation staff (superusers) only.
    actor = personas.analyst_a if agency else make_user("installer", is_superuser=True)
    for case in cases:
        before, files_before = row_counts(), store_files()
        resident_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        tracemalloc.start()
        started = time.monotonic()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                run = services.start_import(
                    actor=actor,
                    agency=agency,
                    kind=kind,
                    upload=io.BytesIO(case.data),
                    original_name=case.file_name,
                )
            elapsed = time.monotonic() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        run.refresh_from_db()
        where = f"{kind}, {case.name}"
        assert run.status == ImportRun.Status.FAILED, where
        assert run.errors, where
        messages = [error["message"] for error in run.errors]
        assert UNEXPECTED_FAILURE not in messages, (
            f"{where} was not told apart from a fault of ours: {messages}"
        )
        if case.line is not None:
            at_line = [error["message"] for error in run.errors if error["line"] == case.line]
            assert at_line, f"{where}: no problem names line {case.line}: {run.errors[:3]}"
            assert case.words in " ".join(at_line), f"{where}: {at_line}"
        else:
            assert case.words in " ".join(messages), f"{where}: {messages}"
        assert elapsed < SECONDS_LIMIT, f"{where} took {elapsed:.1f} s"
        assert peak < MEMORY_LIMIT, f"{where} took {peak / 1048576:.0f} MB"
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - resident_before
        assert grown < RESIDENT_GROWTH_LIMIT, f"{where} grew the process by {grown / 1048576:.0f} MB"
        assert row_counts() == before, where
        assert store_files() == files_before, where


# The installation-wide kinds are refused to every agency's token before their size is looked at (403).
@pytest.mark.parametrize("kind", sorted(kind for kind, cls in IMPORTERS.items() if cls.needs_agency))
def test_a_file_over_the_size_limit_is_refused_by_the_api_with_413_and_nothing_queued(
    personas: Personas, uploads: Path, settings: Any, kind: str
) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    suffix = IMPORTERS[kind].suffixes[0]
    response = Client().post(
        f"/api/v1/imports/{kind}",
        {"file": SimpleUploadedFile(f"big{suffix}", b"x" * 2048)},
        **bearer(personas),
    )
    assert response.status_code == 413
    assert "files sent here may be at most" in response.json()["detail"]
    assert not ImportRun.objects.exists()


def test_a_file_over_the_size_limit_is_refused_at_the_upload_form(
    personas: Personas, uploads: Path, settings: Any
) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    client = personas.client(personas.analyst_a)
    response = client.post(
        reverse("manage:imports", args=[personas.agency_a.slug]),
        {"kind": "transactions", "file": SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024))},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file is 2 MB; files sent here may be at most 1 MB." in page
    assert not ImportRun.objects.exists()
