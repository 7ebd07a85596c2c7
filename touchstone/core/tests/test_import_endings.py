"""Every import ends, quickly and clearly: a fault in an importer fails the run with a message on its page, a run
whose worker died is swept, and files that once ran for minutes or named the wrong line no longer do."""

import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from touchstone.conftest import Personas
from touchstone.core import services
from touchstone.core.importing import ImportFailed, run_import
from touchstone.core.models import Agency, ImportRun
from touchstone.core.tasks import fail_stuck_imports
from touchstone.standards.tests.helpers import make_service


@pytest.fixture
def uploads(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def start(personas: Personas, kind: str, name: str, data: bytes, capture: Any) -> ImportRun:
    with capture(execute=True):
        run = services.start_import(
            actor=personas.analyst_a,
            agency=personas.agency_a,
            kind=kind,
            upload=io.BytesIO(data),
            original_name=name,
        )
    run.refresh_from_db()
    return run


def test_an_importer_that_crashes_marks_the_run_failed_and_its_page_says_so(
    personas: Personas, uploads: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with mock.patch(
        "touchstone.standards.importers.OpenSloImporter.load",
        side_effect=AttributeError("'str' has no 'get'"),
    ):
        run = start(personas, "openslo", "slo.json", b"{}", django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    page = personas.client(personas.analyst_a).get(
        reverse("manage:import-run", args=[personas.agency_a.slug, run.pk])
    )
    html = page.content.decode()
    assert "Nothing was loaded" in html and "fault in Touchstone, not in the file" in html
    assert "Loading" not in html and "has no" not in html


def test_a_malformed_openslo_file_fails_with_its_line_on_the_page(
    personas: Personas, uploads: Path, django_capture_on_commit_callbacks: Any
) -> None:
    run = start(
        personas,
        "openslo",
        "slo.yaml",
        b"apiVersion: openslo/v1\nkind: SLO\nspec: [unclosed\n",
        django_capture_on_commit_callbacks,
    )
    assert run.status == ImportRun.Status.FAILED
    assert run.errors[0]["line"] == 4 and "neither JSON nor YAML" in run.errors[0]["message"]


def test_a_finished_run_leaves_no_uploaded_file_behind_and_running_its_task_again_changes_nothing(
    personas: Personas, uploads: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from touchstone.core.tasks import run_import_task

    refused = start(personas, "openslo", "slo.json", b"{not json", django_capture_on_commit_callbacks)
    make_service(personas.agency_a)
    loaded = start(
        personas,
        "transactions",
        "t.csv",
        b"external_id,service,channel,started_at,ended_at\nt1,refunds,phone,2024-03-04 09:00,2024-03-05 09:00\n",
        django_capture_on_commit_callbacks,
    )
    assert (refused.status, loaded.status) == ("failed", "succeeded"), loaded.errors
    assert not Path(refused.file_path).exists() and not Path(loaded.file_path).exists()
    assert list((uploads / "media" / "imports").iterdir()) == []
    # A queue that hands the same task out twice: the run keeps its outcome, and its file is not asked for.
    assert run_import_task.call(loaded.pk) == "succeeded"
    loaded.refresh_from_db()
    assert loaded.status == "succeeded" and loaded.summary["created"] == 1


def test_runs_stuck_past_the_timeout_are_failed_by_the_sweep_and_recent_ones_are_left(
    personas: Personas, settings: Any
) -> None:
    settings.IMPORT_STUCK_MINUTES = 60
    old = ImportRun.objects.create(
        agency=personas.agency_a, kind="openslo", file_path="/nowhere", original_name="a"
    )
    recent = ImportRun.objects.create(
        agency=personas.agency_a, kind="openslo", file_path="/nowhere", original_name="b"
    )
    done = ImportRun.objects.create(
        agency=personas.agency_a, kind="openslo", file_path="/nowhere", original_name="c", status="succeeded"
    )
    ImportRun.objects.filter(pk__in=[old.pk, done.pk]).update(
        created_at=timezone.now() - dt.timedelta(hours=3)
    )
    ImportRun.objects.filter(pk=old.pk).update(status=ImportRun.Status.RUNNING)
    assert fail_stuck_imports() == 1
    old.refresh_from_db(), recent.refresh_from_db(), done.refresh_from_db()
    assert old.status == "failed" and "stopped without finishing" in old.errors[0]["message"]
    assert (recent.status, done.status) == ("queued", "succeeded")


def test_the_sweep_is_on_the_schedule() -> None:
    from touchstone.core.schedule import JOBS

    assert "fail_stuck_imports" in JOBS


def test_a_utf_16_file_with_its_byte_order_mark_is_read_as_utf_16(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "si.csv"
    path.write_bytes("owner_org,owner_org_title\nxyz,Défense Canada\n".encode("utf-16"))
    outcome = run_import("canada-agencies", path, agency=None)
    assert outcome.summary["agencies_created"] == 1
    assert Agency.objects.filter(name__contains="Défense").exists()


def test_a_latin_1_transactions_file_names_its_line(personas: Personas, tmp_path: Path) -> None:
    make_service(personas.agency_a)
    path = tmp_path / "t.csv"
    path.write_bytes(
        "external_id,service,channel,started_at\nt1,refunds,phone,2024-03-04 09:00\nt2,caf\u00e9,phone,2024-03-04\n".encode(
            "latin-1"
        )
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("transactions", path, agency=personas.agency_a)
    assert [(p.line, "UTF-8" in p.message) for p in failure.value.problems] == [(3, True)]


def test_the_transactions_import_names_the_same_right_line_every_time(
    personas: Personas, tmp_path: Path
) -> None:
    # Large enough (about 15 MB) that DuckDB reads it in parallel pieces, which came back in any order.
    make_service(personas.agency_a)
    rows = 400_000
    bad_line = rows  # near the end: the piece read last when the order is kept
    path = tmp_path / "t.csv"
    with path.open("w") as handle:
        handle.write("external_id,service,channel,started_at\n")
        for number in range(2, rows + 2):
            service = "no-such-service" if number == bad_line else "refunds"
            handle.write(f"id{number},{service},phone,2024-03-04 09:00\n")
    for _attempt in range(3):
        with pytest.raises(ImportFailed) as failure:
            run_import("transactions", path, agency=personas.agency_a)
        assert [(p.line, p.column) for p in failure.value.problems] == [(bad_line, "service")]
        assert "no-such-service" in failure.value.problems[0].message


# --- XLSForm ---------------------------------------------------------------------------------------------------


def form_workbook(rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def declaring(data: bytes, dimension: str, far_cell: bool = False) -> bytes:
    """The same workbook with its survey sheet declaring `dimension`, and perhaps a cell in its last row."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(
                    r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', content.decode()
                )
                if far_cell:
                    text = text.replace(
                        "</sheetData>",
                        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row></sheetData>',
                    )
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_an_xlsform_declaring_the_whole_sheet_loads_in_moments(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(
        declaring(form_workbook([["text", "comment", "Tell us more"]]), "A1:XFD1048576", far_cell=True)
    )
    started = time.monotonic()
    outcome = run_import("xlsform", path, agency=personas.agency_a)
    assert time.monotonic() - started < 10
    assert outcome.summary["questions"] == 1


def test_an_xlsform_zip_bomb_is_refused_before_it_is_unpacked(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    path.write_bytes(buffer.getvalue())
    with mock.patch("openpyxl.load_workbook") as opened, pytest.raises(ImportFailed) as failure:
        run_import("xlsform", path, agency=personas.agency_a)
    assert not opened.called
    assert "unpacks to 60 MB" in str(failure.value)


def test_an_xlsform_cell_with_a_formula_is_reported_as_a_formula(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(form_workbook([["text", "comment", '=CONCAT("Tell ", "us")']]))
    with pytest.raises(ImportFailed) as failure:
        run_import("xlsform", path, agency=personas.agency_a)
    [problem] = failure.value.problems
    assert (problem.line, problem.column) == (2, "C (survey sheet)")
    assert "formula" in problem.message and "label" not in problem.message


# --- YAML ------------------------------------------------------------------------------------------------------


def test_a_yaml_anchor_bomb_is_refused_quickly(personas: Personas, tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(8):
        previous, name = chr(97 + n), chr(98 + n)
        lines.append(f"{name}: &{name} [" + ", ".join(f"*{previous}" for _ in range(10)) + "]")
    path = tmp_path / "slo.yaml"
    path.write_text("\n".join([*lines, "apiVersion: openslo/v1", "kind: SLO", "spec: {service: *i}"]))
    started = time.monotonic()
    with pytest.raises(ImportFailed) as failure:
        run_import("openslo", path, agency=personas.agency_a)
    assert time.monotonic() - started < 5
    assert "anchors" in str(failure.value)


def test_yaml_with_a_few_anchors_still_loads(personas: Personas, tmp_path: Path) -> None:
    make_service(personas.agency_a)
    path = tmp_path / "slo.yaml"
    path.write_text(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: refunds-fast}\n"
        "spec:\n  service: refunds\n  description: &said Refunds within 30 days\n"
        "  indicator: {spec: {ratioMetric: {good: {}, total: {}}}}\n"
        "  objectives: [{target: 0.9, displayName: *said}]\n"
        "  timeWindow: [{duration: 1M, calendar: {startTime: '2025-01-01 00:00:00'}}]\n"
    )
    outcome = run_import("openslo", path, agency=personas.agency_a)
    assert outcome.summary["standards_created"] == 1
