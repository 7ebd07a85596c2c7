"""One agency's data in one file, and back: `manage.py backup_agency` and `manage.py restore_agency`.

The archive (a gzipped tar) holds:

- `backup.json`: the format, the agency, when, the migrations the rows fit, and the count of rows per model;
- `rows/<app.model>.json`: the agency's rows of every model that belongs to an agency (directly or through its
  parent rows: a case's notes, a survey's answers), serialized by Django with their ids;
- `users.json`: the people those rows name (members, handlers, authors), without passwords;
- `transactions/<agency id>/<load>.parquet`: the transaction store's files the manifest names;
- `media/...`: the attachments the rows name.

It is made to restore into an installation holding no such rows (a new one, after `migrate`): ids are kept, so the
transaction files (which hold service and office ids) stay true. People are matched by user name and email address
(a user name held by someone else stops the restore), created without a password when new (they set one through "Forgot your password?"), and never made staff or superusers. Rows
shared by every agency (the public benchmarks made by a migration) are not copied; the restore checks the
installation has each one the rows name.
"""

import datetime as dt
import io
import json
import tarfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from touchstone.core.models import Agency, User

FORMAT = 1
PROJECT_APPS = (
    "core",
    "catalog",
    "surveys",
    "analysis",
    "standards",
    "complaints",
    "voice",
    "reports",
    "benchmarks",
)
USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active")


class BackupError(Exception):
    """A backup or restore that cannot go on, with what to change."""


def agency_models() -> list[type[models.Model]]:
    """Every model of the project's apps whose rows belong to an agency, in the apps' own order."""
    found = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model is not User and model is not Agency and agency_lookup(model) is not None:
                found.append(model)
    return found


def agency_lookup(model: type[models.Model], seen: frozenset[type[models.Model]] = frozenset()) -> str | None:
    """The ORM path from a row to its agency (`agency`, `case__agency`, `survey__agency`...), or None."""
    fields = {field.name: field for field in model._meta.concrete_fields if field.is_relation}
    if "agency" in fields and fields["agency"].related_model is Agency:
        return "agency"
    for field in fields.values():
        target = field.related_model
        if field.null or target in (User, model) or target in seen or not isinstance(target, type):
            continue
        below = agency_lookup(target, seen | {model})
        if below is not None:
            return f"{field.name}__{below}"
    return None


def agency_rows(model: type[models.Model], agency: Agency) -> models.QuerySet[Any]:
    lookup = agency_lookup(model)
    if lookup is None:
        raise BackupError(f"{model._meta.label} rows belong to no agency.")
    return model._base_manager.filter(**{lookup: agency}).order_by("pk")


def ancestors(agency: Agency) -> list[Agency]:
    """The agency and the departments above it (a sub-agency's row names its department)."""
    chain = [agency]
    while chain[-1].parent_id is not None:
        chain.append(Agency.objects.get(pk=chain[-1].parent_id))
    return chain


def user_ids(model: type[models.Model], rows: models.QuerySet[Any]) -> set[int]:
    ids: set[int] = set()
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is User:
            ids.update(i for i in rows.values_list(field.attname, flat=True) if i is not None)
    for field in model._meta.many_to_many:
        if field.related_model is User:
            ids.update(i for i in rows.values_list(f"{field.name}__pk", flat=True) if i is not None)
    return ids


def migration_state() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied if app in PROJECT_APPS)


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(data)
    member.mode = 0o600
    archive.addfile(member, io.BytesIO(data))


@dataclass
class Summary:
    agency: str
    rows: dict[str, int]
    users: int
    transaction_files: int
    media_files: int


def write_backup(agency: Agency, destination: Path) -> Summary:
    """Write the agency's archive to `destination` (readable by its owner only: it holds personal data)."""
    from touchstone.standards import store

    counts: dict[str, int] = {}
    people: set[int] = set()
    media: list[str] = []
    destination.touch(mode=0o600)
    outermost = not connection.in_atomic_block
    with transaction.atomic(), tarfile.open(destination, "w:gz") as archive:
        if (
            connection.vendor == "postgresql" and outermost
        ):  # one snapshot of every table while the agency works
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        chain = ancestors(agency)
        _add(archive, "rows/core.agency.json", serializers.serialize("json", reversed(chain)).encode())
        for model in agency_models():
            rows = agency_rows(model, agency)
            counts[model._meta.label] = rows.count()
            people |= user_ids(model, rows)
            _add(
                archive, f"rows/{model._meta.label_lower}.json", serializers.serialize("json", rows).encode()
            )
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField):
                    media += [name for name in rows.values_list(field.attname, flat=True) if name]
        users = [
            {"pk": user.pk, **{name: getattr(user, name) for name in USER_FIELDS}}
            for user in User.objects.filter(pk__in=people).order_by("pk")
        ]
        _add(archive, "users.json", json.dumps(users, indent=1).encode())
        paths = sorted(
            set(
                agency_rows(apps.get_model("standards", "TransactionFile"), agency).values_list(
                    "path", flat=True
                )
            )
        )
        for path in store.local_paths(paths):
            archive.add(str(path), arcname=f"transactions/{path.relative_to(store.root())}")
        for name in media:
            with default_storage.open(name, "rb") as stored:
                _add(archive, f"media/{name}", stored.read())
        meta = {
            "format": FORMAT,
            "agency": agency.slug,
            "agency_id": agency.pk,
            "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "migrations": migration_state(),
            "rows": counts,
            "users": len(users),
            "transaction_files": len(paths),
            "media_files": len(media),
        }
        _add(archive, "backup.json", json.dumps(meta, indent=1).encode())
    return Summary(agency.slug, counts, len(users), len(paths), len(media))


def read_backup(source: Path) -> tuple[dict[str, Any], tarfile.TarFile]:
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115  (the caller closes it: `with archive:`)
        meta_file = archive.extractfile("backup.json")
    except (OSError, tarfile.TarError, KeyError) as error:
        raise BackupError(f"{source} is not a Touchstone agency backup ({error}).") from error
    assert meta_file is not None
    meta = json.loads(meta_file.read())
    if meta.get("format") != FORMAT:
        raise BackupError(
            f"{source} is backup format {meta.get('format')}; this version reads format {FORMAT}."
        )
    return meta, archive


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise BackupError(f"The backup lacks {name}; make it again with manage.py backup_agency.")
    return handle.read()


def restore_backup(source: Path) -> Summary:
    """Load an archive written by `write_backup` into this installation, all or nothing."""
    from touchstone.standards import store

    meta, archive = read_backup(source)
    with archive:
        if meta["migrations"] != migration_state():
            raise BackupError(
                "The backup was made by another version of Touchstone (its migrations differ from this "
                "installation's); restore it with the version that made it, then upgrade."
            )
        if Agency.objects.filter(slug=meta["agency"]).exists():
            raise BackupError(
                f"This installation already holds the agency {meta['agency']!r}; restore into one without it."
            )
        with transaction.atomic():
            user_map = _restore_users(json.loads(_member(archive, "users.json")))
            restored: dict[str, int] = defaultdict(int)
            for item in serializers.deserialize("json", _member(archive, "rows/core.agency.json")):
                slug = getattr(item.object, "slug", "")
                here = Agency.objects.filter(pk=item.object.pk).first()
                if here is None:
                    item.save()
                elif here.slug != slug or slug == meta["agency"]:
                    raise BackupError(
                        f"This installation's agency {here.slug!r} has the id of {slug!r} in the backup; "
                        "restore into a new installation (after migrate)."
                    )
            written_models: list[type[models.Model]] = [Agency]
            for model in agency_models():
                label = model._meta.label
                items = list(
                    serializers.deserialize("json", _member(archive, f"rows/{model._meta.label_lower}.json"))
                )
                if model._base_manager.filter(pk__in=[item.object.pk for item in items]).exists():
                    raise BackupError(
                        f"This installation already holds {model._meta.verbose_name_plural} with the backup's ids; "
                        "restore into a new installation (after migrate)."
                    )
                for item in items:
                    _point_at_users(item, user_map)
                    item.save()
                    restored[label] += 1
                written_models.append(model)
            _check_shared_rows(written_models)
            for statement in connection.ops.sequence_reset_sql(no_style(), [User, *written_models]):
                with connection.cursor() as cursor:
                    cursor.execute(statement)
            for member in archive.getmembers():
                if member.isfile() and member.name.startswith("transactions/"):
                    path = store.root() / member.name.removeprefix("transactions/")
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(_member(archive, member.name))
                    store.publish(path)
                elif member.isfile() and member.name.startswith("media/"):
                    name = member.name.removeprefix("media/")
                    saved = default_storage.save(name, ContentFile(_member(archive, member.name)))
                    if saved != name:
                        raise BackupError(
                            f"An attachment named {name} is already stored; restore into a new installation."
                        )
        missing = {label: count for label, count in meta["rows"].items() if restored.get(label, 0) != count}
        if missing:
            raise BackupError(f"Rows restored differ from the backup's counts: {missing}.")
        return Summary(
            meta["agency"], dict(restored), len(user_map), meta["transaction_files"], meta["media_files"]
        )


def _restore_users(people: list[dict[str, Any]]) -> dict[int, int]:
    """{id in the backup: id here}: people matched by user name and email, else created without a password.

    A user name held here by someone with another address is refused: matching it would hand that person the
    restored agency's data.
    """
    mapping = {}
    for person in people:
        user = User.objects.filter(username=person["username"]).first()
        if user is not None and user.email.lower() != person["email"].lower():
            raise BackupError(
                f"The user name {person['username']!r} belongs here to someone with another email address; rename one "
                "of them, then restore again."
            )
        if user is None:
            user = User(**{name: person[name] for name in USER_FIELDS})
            user.set_unusable_password()
            user.save()
        mapping[person["pk"]] = user.pk
    return mapping


def _point_at_users(item: Any, user_map: dict[int, int]) -> None:
    row = item.object
    for field in row._meta.concrete_fields:
        if field.is_relation and field.related_model is User:
            old = getattr(row, field.attname)
            if old is not None:
                setattr(row, field.attname, user_map[old])
    for field in row._meta.many_to_many:
        if field.related_model is User and field.name in item.m2m_data:
            item.m2m_data[field.name] = [user_map[int(pk)] for pk in item.m2m_data[field.name]]


def _check_shared_rows(written: list[type[models.Model]]) -> None:
    """Every row the restored rows point at exists here (the shared ones, made by migrations, included)."""
    try:
        connection.check_constraints(table_names=[model._meta.db_table for model in written])
    except Exception as error:
        raise BackupError(
            f"The backup names rows this installation lacks ({error}); restore into an installation of the same "
            "version, after migrate."
        ) from error
