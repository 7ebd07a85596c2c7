"""Background work of the foundation: running an uploaded import and reporting its progress.

Every run ends: an import that raises anything is marked failed with a message the page shows, and
`fail_stuck_imports` (on the schedule) fails a run whose worker died before it could say so.
"""

import datetime as dt
import json
import logging
import traceback
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from touchstone.core.importing import ImportFailed, run_import
from touchstone.core.models import ImportRun
from touchstone.core.services import discard_upload, fetch_upload

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


UNEXPECTED_FAILURE = gettext_noop(
    "The file could not be loaded because of a fault in Touchstone, not in the file; nothing was written. "
    "Try again later, and if it fails again send the file to your administrator."
)
STUCK_FAILURE = gettext_noop(
    "This import stopped without finishing (the worker running it ended); nothing was written. Upload the file "
    "again."
)


def _discard_upload_of(run: ImportRun) -> None:
    try:
        discard_upload(Path(run.file_path))
    except Exception as error:  # the run's outcome is saved; a file left behind only takes space
        logger.warning("import %s: its uploaded file could not be deleted: %s", run.pk, type(error).__name__)


def fail_stuck_imports(now: dt.datetime | None = None) -> int:
    """Fail every run still waiting or loading after IMPORT_STUCK_MINUTES: its worker is gone."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.IMPORT_STUCK_MINUTES)
    with transaction.atomic():
        stuck = list(
            ImportRun.objects.select_for_update()
            .filter(status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING], created_at__lt=cutoff)
            .only("pk", "file_path")
        )
        for run in stuck:
            progress_file(run).unlink(missing_ok=True)
        ImportRun.objects.filter(pk__in=[run.pk for run in stuck]).update(
            status=ImportRun.Status.FAILED,
            errors=[{"line": None, "column": "", "message": _(STUCK_FAILURE)}],
            finished_at=now,
        )
    for run in stuck:
        _discard_upload_of(run)
    if stuck:
        logger.warning(
            "failed %s import runs stuck for over %s minutes", len(stuck), settings.IMPORT_STUCK_MINUTES
        )
    return len(stuck)


@task()
def run_import_task(run_id: int) -> str:
    run = ImportRun.objects.select_related("agency", "created_by").get(pk=run_id)
    if run.finished_at is not None:
        return str(run.status)  # ended already (a task run twice): its upload is gone, and its outcome stands
    run.status = ImportRun.Status.RUNNING
    run.save(update_fields=["status"])
    marker = progress_file(run)

    def progress(done: int, total: int | None) -> None:
        marker.write_text(json.dumps({"done": done, "total": total}))

    try:
        outcome = run_import(
            run.kind,
            fetch_upload(Path(run.file_path)),
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
    except Exception as error:
        # Anything else is a fault of ours, not of the file: the run ends and the page says so. The log names the
        # error's kind and where in the code, never its message, which may quote the file's values.
        where = traceback.extract_tb(error.__traceback__)[-1]
        logger.error(
            "import %s (%s) failed unexpectedly: %s at %s:%s",
            run.pk,
            run.kind,
            type(error).__name__,
            where.filename,
            where.lineno,
        )
        run.status = ImportRun.Status.FAILED
        run.errors = [{"line": None, "column": "", "message": _(UNEXPECTED_FAILURE)}]
    else:
        run.status = ImportRun.Status.VALIDATED if run.dry_run else ImportRun.Status.SUCCEEDED
        run.summary = outcome.summary
        run.rows_done = int(outcome.summary.get("rows", 0))
        run.rows_total = run.rows_done
    run.finished_at = timezone.now()
    run.save()
    marker.unlink(missing_ok=True)
    _discard_upload_of(run)
    logger.info("import %s (%s) finished: %s", run.pk, run.kind, run.status)
    return str(run.status)
