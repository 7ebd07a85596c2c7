"""Background work of the foundation: running an uploaded import and reporting its progress."""

import json
import logging
from pathlib import Path

from django.tasks import task
from django.utils import timezone

from touchstone.core.importing import ImportFailed, run_import
from touchstone.core.models import ImportRun

logger = logging.getLogger(__name__)


def progress_file(run: ImportRun) -> Path:
    # Progress lives beside the upload, not in the database: the import's own transaction holds the
    # database until it commits, and SQLite would block a second writer.
    return Path(run.file_path + ".progress")


def read_progress(run: ImportRun) -> tuple[int, int | None]:
    try:
        data = json.loads(progress_file(run).read_text())
        return int(data["done"]), data.get("total")
    except (OSError, ValueError, KeyError):
        return run.rows_done, run.rows_total


@task()
def run_import_task(run_id: int) -> str:
    run = ImportRun.objects.select_related("agency", "created_by").get(pk=run_id)
    run.status = ImportRun.Status.RUNNING
    run.save(update_fields=["status"])
    marker = progress_file(run)

    def progress(done: int, total: int | None) -> None:
        marker.write_text(json.dumps({"done": done, "total": total}))

    try:
        outcome = run_import(
            run.kind,
            Path(run.file_path),
            agency=run.agency,
            actor=run.created_by,
            dry_run=run.dry_run,
            progress=progress,
        )
    except ImportFailed as failure:
        run.status = ImportRun.Status.FAILED
        run.errors = [problem.as_dict() for problem in failure.problems]
        run.rows_done = failure.rows_checked
    except KeyError as unknown:
        run.status = ImportRun.Status.FAILED
        run.errors = [{"line": None, "column": "", "message": str(unknown.args[0])}]
    else:
        run.status = ImportRun.Status.VALIDATED if run.dry_run else ImportRun.Status.SUCCEEDED
        run.summary = outcome.summary
        run.rows_done = int(outcome.summary.get("rows", 0))
        run.rows_total = run.rows_done
    run.finished_at = timezone.now()
    run.save()
    marker.unlink(missing_ok=True)
    logger.info("import %s (%s) finished: %s", run.pk, run.kind, run.status)
    return str(run.status)
