"""The same importers as `manage.py import` and the upload page, for systems that send files."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from touchstone.api import auth
from touchstone.api.schemas import ImportRunOut
from touchstone.core import selectors, services
from touchstone.core.importing import IMPORTERS, upload_too_large
from touchstone.core.models import ImportRun

router = Router(tags=["Imports"])


@router.post("/imports/{kind}", response={202: ImportRunOut}, auth=auth.write)
def start_import(
    request: HttpRequest, kind: str, file: File[UploadedFile], dry_run: Form[bool] = False
) -> tuple[int, ImportRun]:
    """Queue a file for import; follow it at /imports/runs/{id}. All-or-nothing; errors name line and column."""
    if kind not in IMPORTERS:
        raise HttpError(
            404, f"There is no import kind '{kind}'; the kinds are: {', '.join(sorted(IMPORTERS))}."
        )
    if not IMPORTERS[kind].needs_agency:
        raise HttpError(
            403,
            _(
                "The %(kind)s import writes records of every agency; an agency's token cannot run it. "
                "Installation staff run it from the workspace or the command line."
            )
            % {"kind": kind},
        )
    too_large = upload_too_large(file.size)
    if too_large:
        raise HttpError(413, too_large)
    token = auth.token_of(request)
    run = services.start_import(
        actor=None,
        actor_label=f"API token {token.name}",
        agency=token.agency,
        kind=kind,
        upload=file,
        original_name=file.name or "upload",
        dry_run=dry_run,
    )
    run.refresh_from_db()
    return 202, run


@router.get("/imports/runs/{run_id}", response=ImportRunOut, auth=auth.read)
def read_import(request: HttpRequest, run_id: int) -> ImportRun:
    return selectors.import_run_of(auth.token_of(request).agency, run_id)
