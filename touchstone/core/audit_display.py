"""The audit log as people read it: one sentence per entry with the words of the agency, not of the database.

An entry stores a model name, an action and {field: [old, new]}; this turns them into "Updated complaint
“BA-2026-000001”: changed status from Received to Closed", names linked records instead of their ids, and links
to the object while it still exists. A page of entries costs one query per kind of record it names, not per row.
"""

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from touchstone.core.models import Agency, AuditEntry

# The verbs services write, in words a person reads (others are shown as written, capitalised).
ACTIONS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "deleted": gettext_lazy("Deleted"),
    "assigned": gettext_lazy("Assigned"),
    "closed": gettext_lazy("Closed"),
    "reopened": gettext_lazy("Reopened"),
    "acknowledged": gettext_lazy("Acknowledged"),
    "assessed": gettext_lazy("Assessed"),
    "responded": gettext_lazy("Responded to"),
    "resumed": gettext_lazy("Resumed"),
    "started work": gettext_lazy("Started work on"),
    "waiting on customer": gettext_lazy("Paused, waiting on the customer,"),
    "added note": gettext_lazy("Added a note to"),
    "received complaint": gettext_lazy("Received"),
    "customer replied": gettext_lazy("Customer replied to"),
    "triaged": gettext_lazy("Triaged"),
    "accepted triage": gettext_lazy("Accepted the triage suggestion for"),
    "anonymised": gettext_lazy("Anonymised"),
    "added person": gettext_lazy("Added"),
    "removed person": gettext_lazy("Removed"),
    "started import": gettext_lazy("Started"),
    "imported": gettext_lazy("Imported"),
    "posted": gettext_lazy("Posted"),
    "superseded": gettext_lazy("Superseded"),
    "merged": gettext_lazy("Merged"),
    "raised alert": gettext_lazy("Raised an alert on"),
}

# Where a record of each kind is opened in the workspace: URL name and the keyword its id goes in.
LINKS = {
    "case": ("manage:complaints:case", "case_id"),
    "office": ("manage:office-edit", "office_id"),
    "service": ("manage:catalog:service", "service_id"),
    "survey": ("manage:surveys:survey", "survey_id"),
    "servicestandard": ("manage:standards:detail", "standard_id"),
    "importrun": ("manage:import-run", "run_id"),
    "membership": ("manage:person-edit", "membership_id"),
}

UUID_LIKE = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.IGNORECASE)
LONGEST_VALUE = 80


@dataclass
class AuditLine:
    entry: AuditEntry
    verb: str
    kind: str
    name: str
    url: str | None
    details: list[str] = field(default_factory=list)


def _model_by_name() -> dict[str, type[models.Model]]:
    return {model._meta.model_name or "": model for model in apps.get_models()}


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _hidden(value: Any) -> bool:
    """Values people cannot read: ids, structures."""
    if isinstance(value, dict):
        return True
    if isinstance(value, str):
        if UUID_LIKE.match(value):
            return True
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True
    return False


def _label(model: type[models.Model] | None, name: str) -> str:
    found = _field(model, name)
    if found is not None and found.verbose_name:
        return str(found.verbose_name)
    return name.replace("_", " ").replace(".", " ")


def _value(value: Any, model_field: models.Field | None, names: dict[str, str]) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_value(item, model_field, names) for item in value) or _("none")
    if model_field is not None and model_field.is_relation and value is not None:
        return names.get(str(value), _("a record since removed"))
    if model_field is not None and model_field.choices:
        choices = {str(key): label for key, label in model_field.flatchoices}
        if str(value) in choices:
            return str(choices[str(value)])
    if isinstance(value, int | float):
        return str(number_format(value, use_l10n=True))
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def _detail(
    model: type[models.Model] | None, name: str, change: Any, names: dict[str, dict[str, str]]
) -> str:
    label = _label(model, name)
    model_field = _field(model, name)
    field_names = names.get(name, {})
    if isinstance(change, list | tuple) and len(change) == 2:
        old, new = change
    else:
        old, new = None, change
    if change == "changed" or _hidden(old) or _hidden(new):
        return _("changed %(field)s") % {"field": label}
    if new is None or new == "":
        return _("cleared %(field)s") % {"field": label}
    new_text = _value(new, model_field, field_names)
    if old is None or old == "":
        return _("set %(field)s to %(new)s") % {"field": label, "new": new_text}
    return _("changed %(field)s from %(old)s to %(new)s") % {
        "field": label,
        "old": _value(old, model_field, field_names),
        "new": new_text,
    }


def _related_names(entries: list[AuditEntry], models_by_name: dict[str, type[models.Model]]) -> dict:
    """{entry object type: {field: {pk: name}}} for the linked records the changes name, one query a kind."""
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    fields_of: dict[tuple[str, str], type[models.Model]] = {}
    for entry in entries:
        model = models_by_name.get(entry.object_type)
        for name, change in (entry.changes or {}).items():
            model_field = _field(model, name)
            if model_field is None or not model_field.is_relation or model_field.related_model is None:
                continue
            related = model_field.related_model
            assert isinstance(related, type)
            values = change if isinstance(change, list | tuple) else [change]
            wanted[related].update(str(v) for v in values if v not in (None, "", "changed"))
            fields_of[(entry.object_type, name)] = related
    found: dict[type[models.Model], dict[str, str]] = {}
    for related, pks in wanted.items():
        valid = [pk for pk in pks if pk.isdigit()]
        found[related] = {str(obj.pk): str(obj) for obj in related._default_manager.filter(pk__in=valid)}
    names: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for (object_type, name), related in fields_of.items():
        names[object_type][name] = found.get(related, {})
    return names


def _existing(
    entries: list[AuditEntry], agency: Agency, models_by_name: dict[str, type[models.Model]]
) -> set[tuple[str, str]]:
    ids: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.object_type in LINKS and entry.object_id.isdigit():
            ids[entry.object_type].add(entry.object_id)
    existing: set[tuple[str, str]] = set()
    for object_type, pks in ids.items():
        model = models_by_name.get(object_type)
        if model is None or _field(model, "agency") is None:
            continue
        for pk in model._default_manager.filter(agency=agency, pk__in=pks).values_list("pk", flat=True):
            existing.add((object_type, str(pk)))
    return existing


def audit_lines(entries: Iterable[AuditEntry], agency: Agency, *, detailed: bool = True) -> list[AuditLine]:
    """Each entry as a sentence. `detailed=False` (a short list) adds no query: no field details, no links."""
    entries = list(entries)
    models_by_name = _model_by_name()
    names = _related_names(entries, models_by_name) if detailed else {}
    existing = _existing(entries, agency, models_by_name) if detailed else set()
    lines = []
    for entry in entries:
        model = models_by_name.get(entry.object_type)
        kind = str(model._meta.verbose_name) if model is not None else entry.object_type.replace("_", " ")
        verb = ACTIONS.get(entry.action)
        url = None
        if (entry.object_type, entry.object_id) in existing:
            url_name, keyword = LINKS[entry.object_type]
            try:
                url = reverse(url_name, kwargs={"agency_slug": agency.slug, keyword: int(entry.object_id)})
            except NoReverseMatch:
                url = None
        lines.append(
            AuditLine(
                entry=entry,
                verb=str(verb) if verb else capfirst(entry.action.replace("_", " ").replace(".", ": ")),
                kind=kind,
                name="" if _hidden(entry.object_repr) else entry.object_repr,
                url=url,
                details=[
                    _detail(model, name, change, names.get(entry.object_type, {}))
                    for name, change in sorted((entry.changes or {}).items())
                ]
                if detailed
                else [],
            )
        )
    return lines
