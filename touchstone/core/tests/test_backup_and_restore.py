"""`manage.py backup_agency` writes one agency to a file; `manage.py restore_agency` reproduces it in a new
installation with every count equal: rows, people, transactions, attachments."""

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from touchstone.complaints.models import Case, CaseAttachment
from touchstone.conftest import Personas, new_database
from touchstone.core.backup import agency_lookup, agency_models, agency_rows
from touchstone.core.models import Agency, Membership
from touchstone.standards import store

BASE_DIR = Path(settings.BASE_DIR)

COUNT_SCRIPT = """
import json, django
django.setup()
from touchstone.core.backup import agency_models, agency_rows
from touchstone.core.models import Agency, Membership, User
from touchstone.standards import store
from touchstone.complaints.models import CaseAttachment
agency = Agency.objects.get(abbreviation="BA")
attachment = CaseAttachment.objects.filter(case__agency=agency).first()
print(json.dumps({
    "rows": {m._meta.label: agency_rows(m, agency).count() for m in agency_models()},
    "transactions": store.transaction_count(agency),
    "held": store.read(agency, limit=5),
    "attachment": attachment.file.read().decode() if attachment else None,
    "members_without_password": sorted(
        m.user.username for m in Membership.objects.filter(agency=agency) if not m.user.has_usable_password()
    ),
    "parent": agency.parent.abbreviation if agency.parent else None,
}, default=str))
"""


@pytest.fixture
def new_installation(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a new, empty installation: its own database, store and media folders."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"TOUCHSTONE_TESTING", "DATABASE_URL", "SECRET_KEY"}
    }
    env.update(
        DEBUG="true",
        TOUCHSTONE_ENV_FILE="",
        SECRET_KEY="restore-test-" + "r" * 40,
        TRANSACTION_STORE=str(tmp_path / "restored-transactions"),
        MEDIA_ROOT=str(tmp_path / "restored-media"),
        DJANGO_SETTINGS_MODULE="touchstone.settings",
    )
    with new_database(tmp_path, "restore") as database_url:
        env["DATABASE_URL"] = database_url
        yield env


def manage(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_model_of_an_agency_is_found_with_its_path_to_the_agency() -> None:
    labels = {model._meta.label for model in agency_models()}
    assert {
        "complaints.CaseNote",
        "surveys.Response",
        "voice.EmployeeAnswer",
        "standards.TransactionFile",
    } <= labels
    assert agency_lookup(apps_model("complaints.CaseAttachment")) == "case__agency"
    assert agency_lookup(apps_model("voice.Support")) == "item__agency"


def apps_model(label: str) -> type:
    from django.apps import apps

    return apps.get_model(label)


def test_a_restore_reproduces_an_agency_with_every_count_equal(
    db: object, tmp_path: Path, settings: object, new_installation: dict[str, str]
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    call_command("load_demo", stdout=io.StringIO())
    agency = Agency.objects.get(abbreviation="BA")
    case = Case.objects.filter(agency=agency).first()
    assert case is not None
    attachment = CaseAttachment(case=case, original_name="receipt.txt", content_type="text/plain", size=9)
    attachment.file.save("receipt.txt", ContentFile(b"a receipt"))
    expected = {model._meta.label: agency_rows(model, agency).count() for model in agency_models()}
    assert expected["complaints.Case"] == Case.objects.filter(agency=agency).count() > 0
    assert expected["core.Membership"] == Membership.objects.filter(agency=agency).count() > 0
    assert sum(1 for count in expected.values() if count) >= 30  # the demo fills most of the product
    transactions = store.transaction_count(agency)
    assert transactions > 0
    archive = tmp_path / "ba.tar.gz"
    out = io.StringIO()
    call_command("backup_agency", "BA", str(archive), stdout=out)
    assert "Wrote" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0

    migrated = manage(new_installation, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    restored = manage(new_installation, "restore_agency", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "counts equal to the backup's" in restored.stdout
    counted = subprocess.run(
        [sys.executable, "-c", COUNT_SCRIPT],
        cwd=BASE_DIR,
        env=new_installation,
        capture_output=True,
        text=True,
    )
    assert counted.returncode == 0, counted.stderr
    there = json.loads(counted.stdout)
    assert there["rows"] == expected
    assert there["transactions"] == transactions
    assert there["held"] == json.loads(json.dumps(store.read(agency, limit=5), default=str))
    assert there["attachment"] == "a receipt"
    assert there["parent"] == "DCS"
    assert "handler" in there["members_without_password"]

    again = manage(new_installation, "restore_agency", str(archive))
    assert again.returncode != 0
    assert "already holds the agency" in again.stderr


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, db: object) -> None:
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"hello")
    with pytest.raises(CommandError, match="is not a Touchstone agency backup"):
        call_command("restore_agency", str(bogus))


def test_a_backup_never_overwrites_a_file(personas: Personas, tmp_path: Path) -> None:
    existing = tmp_path / f"{uuid.uuid4().hex}.tar.gz"
    existing.write_bytes(b"an earlier backup")
    with pytest.raises(CommandError, match="exists; name a new file"):
        call_command("backup_agency", personas.agency_a.abbreviation, str(existing))
    assert existing.read_bytes() == b"an earlier backup"


def test_a_user_name_held_here_by_someone_else_stops_the_restore(db: object) -> None:
    from touchstone.core.backup import BackupError, _restore_users
    from touchstone.core.models import User

    User.objects.create_user("handler", email="someone.else@example.gov")
    person = {
        "pk": 41,
        "username": "handler",
        "email": "handler@agency.example.gov",
        "first_name": "",
        "last_name": "",
    }
    with pytest.raises(BackupError, match="'handler' belongs here to someone with another email address"):
        _restore_users([{**person, "is_active": True}])


def test_the_same_person_is_matched_and_a_new_one_has_no_password(db: object) -> None:
    from touchstone.core.backup import _restore_users
    from touchstone.core.models import User

    here = User.objects.create_user(
        "analyst", email="Analyst@Agency.example.gov", password="a-long-password-9"
    )
    people = [
        {"pk": 7, "username": "analyst", "email": "analyst@agency.example.gov"},
        {"pk": 8, "username": "newcomer", "email": "new@agency.example.gov"},
    ]
    mapping = _restore_users([{**p, "first_name": "", "last_name": "", "is_active": True} for p in people])
    assert mapping[7] == here.pk
    assert not User.objects.get(pk=mapping[8]).has_usable_password()
    assert not User.objects.get(pk=mapping[8]).is_superuser
