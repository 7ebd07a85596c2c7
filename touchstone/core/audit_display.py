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
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from touchstone.core.models import Agency, AuditEntry

# The verbs services write, in words a person reads (others are shown as written, capitalised).
ACTIONS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "deleted": gettext_lazy("Deleted"),
    "assigned": gettext_lazy("Assigned"),
    "closed": pgettext_lazy("audit action", "Closed"),
    "reopened": pgettext_lazy("audit action", "Reopened"),
    "acknowledged": pgettext_lazy("audit action", "Acknowledged"),
    "assessed": pgettext_lazy("audit action", "Assessed"),
    "responded": gettext_lazy("Responded to"),
    "resumed": gettext_lazy("Resumed"),
    "started work": gettext_lazy("Started work on"),
    "waiting on customer": gettext_lazy("Paused, waiting on the customer,"),
    "added note": gettext_lazy("Added a note to"),
    "received complaint": pgettext_lazy("audit action", "Received"),
    "customer replied": gettext_lazy("Customer replied to"),
    "triaged": gettext_lazy("Triaged"),
    "accepted triage": gettext_lazy("Accepted the triage suggestion for"),
    "anonymised": gettext_lazy("Anonymised"),
    "added person": gettext_lazy("Added"),
    "removed person": gettext_lazy("Removed"),
    "started import": pgettext_lazy("audit action", "Started"),
    "imported": pgettext_lazy("audit action", "Imported"),
    "posted": gettext_lazy("Posted"),
    "superseded": pgettext_lazy("audit action", "Superseded"),
    "merged": gettext_lazy("Merged"),
    "raised alert": gettext_lazy("Raised an alert on"),
    "added a language": gettext_lazy("Added a language to"),
    "added survey contacts": gettext_lazy("Added contacts to"),
    "analysis.weighting_saved": gettext_lazy("Saved the weighting of"),
    "analysis.weighting_started": gettext_lazy("Started weighting"),
    "analysis.weighting_stopped": gettext_lazy("Stopped weighting"),
    "answered follow-up": pgettext_lazy("audit action", "Answered"),
    "approved a send": gettext_lazy("Approved a send of"),
    "asked a second admin to approve a send": gettext_lazy("Asked a second admin to approve a send of"),
    "benchmark.chosen": gettext_lazy("Chose"),
    "benchmark.created": gettext_lazy("Created"),
    "benchmark.unchosen": gettext_lazy("Stopped comparing with"),
    "comment quoted": gettext_lazy("Quoted a comment in"),
    "comment left out": gettext_lazy("Left a comment out of"),
    "created API token": gettext_lazy("Created"),
    "created one-use links": gettext_lazy("Created one-use links for"),
    "deleted survey contacts": gettext_lazy("Deleted contacts of"),
    "email bounced": gettext_lazy("An email bounced on"),
    "flagged as a likely duplicate": gettext_lazy("Flagged as a likely duplicate:"),
    "forgot link addresses": gettext_lazy("Forgot the link addresses of"),
    "imported XLSForm": gettext_lazy("Imported an XLSForm into"),
    "imported complaints": gettext_lazy("Imported complaints:"),
    "imported responses": gettext_lazy("Imported responses into"),
    "imported services": gettext_lazy("Imported services:"),
    "imported the employee roster": gettext_lazy("Imported the employee roster:"),
    "imported transactions": gettext_lazy("Imported transactions:"),
    "merged a duplicate in": gettext_lazy("Merged a duplicate into"),
    "merged into another case": gettext_lazy("Merged into another case:"),
    "not a duplicate": gettext_lazy("Marked as not a duplicate:"),
    "quote withdrawn": gettext_lazy("Withdrew a quoted comment from"),
    "recorded channel volumes": gettext_lazy("Recorded channel volumes of"),
    "released results": gettext_lazy("Released results of"),
    "reviewed comment": gettext_lazy("Reviewed a comment in"),
    "revoked API token": pgettext_lazy("audit action", "Revoked"),
    "sent survey invitations": gettext_lazy("Sent invitations to"),
    "sent survey reminders": gettext_lazy("Sent reminders for"),
    "split a case off": gettext_lazy("Split a case off"),
    "split from a case": gettext_lazy("Split off another case:"),
    "tagged": gettext_lazy("Tagged"),
    "trained triage": gettext_lazy("Trained"),
    "translated": gettext_lazy("Translated"),
    "turned off the second factor": gettext_lazy("Turned off the second factor of"),
    "turned on a second factor": gettext_lazy("Turned on a second factor for"),
    "unsubscribed": gettext_lazy("Unsubscribed from"),
    "untagged responses": gettext_lazy("Untagged responses of"),
    "uploaded responses": gettext_lazy("Uploaded responses to"),
    "used a recovery code": gettext_lazy("Used a recovery code:"),
}
# Actions with a value at their end (`moved to published`): the verb says it, in the page's language.
MOVED_TO = "moved to "
MARKED_RESPONSES = "marked responses "
SET_INVITATIONS = "set invitations "
INBOX_ACTIONS = {
    "spam": gettext_lazy("Marked responses as spam in"),
    "not_spam": gettext_lazy("Marked responses as not spam in"),
    "flag": gettext_lazy("Flagged responses in"),
    "unflag": gettext_lazy("Unflagged responses in"),
    "archive": gettext_lazy("Archived responses in"),
    "restore": gettext_lazy("Restored responses in"),
}
# Changes recorded under names that are no field of the record.
CHANGE_NAMES = {
    "kept": gettext_lazy("kept"),
    "product": gettext_lazy("product"),
    "sections": gettext_lazy("sections"),
    "split part": gettext_lazy("part split off"),
    "supports moved": gettext_lazy("supports moved"),
    "responses": gettext_lazy("responses"),
    "invitations": gettext_lazy("invitations"),
    "recipients": gettext_lazy("recipients"),
    "rows": gettext_lazy("rows"),
    "window": gettext_lazy("window"),
}
TEXTS_IN = "texts in "

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
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")  # dates and times are recorded as ISO text


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
    """A field's name in the page's language: its verbose name (gettext'd again, for the names Django made from
    the attribute, which the catalog translates too), or the name a service recorded the change under."""
    found = _field(model, name)
    if found is not None and found.verbose_name:
        return _(str(found.verbose_name))
    if name in CHANGE_NAMES:
        return str(CHANGE_NAMES[name])
    if name.startswith(TEXTS_IN):
        from touchstone.surveys.languages import name_in_page_language

        return _("texts in %(language)s") % {"language": name_in_page_language(name[len(TEXTS_IN) :])}
    return _(name.replace("_", " ").replace(".", " "))


def _verb(entry: AuditEntry, model: type[models.Model] | None) -> str:
    """The action as the start of a sentence in the page's language; one no list knows stays as recorded."""
    action = entry.action
    if action in ACTIONS:
        return str(ACTIONS[action])
    if action.startswith(MOVED_TO):
        state = action[len(MOVED_TO) :]
        state_field = _field(model, "state")
        labels = {str(key): str(label) for key, label in state_field.flatchoices} if state_field else {}
        return _("Moved to “%(state)s”:") % {"state": labels.get(state, state.replace("_", " "))}
    if action.startswith(MARKED_RESPONSES) and action[len(MARKED_RESPONSES) :] in INBOX_ACTIONS:
        return str(INBOX_ACTIONS[action[len(MARKED_RESPONSES) :]])
    if action.startswith(SET_INVITATIONS):
        from touchstone.surveys.models import Invitation

        code = action[len(SET_INVITATIONS) :]
        label = dict(Invitation.Disposition.choices).get(code, code)
        return _("Set invitations to “%(disposition)s” in") % {"disposition": label}
    return capfirst(action.replace("_", " ").replace(".", ": "))


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
    if isinstance(value, str) and ISO_DATE.match(value):
        moment = parse_datetime(value) if len(value) > 10 else None
        if moment is not None:
            return date_format(
                timezone.localtime(moment) if timezone.is_aware(moment) else moment, "DATETIME_FORMAT"
            )
        day = parse_date(value[:10]) if len(value) == 10 else None
        if day is not None:
            return date_format(day, "DATE_FORMAT")
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
        kind = _(str(model._meta.verbose_name)) if model is not None else entry.object_type.replace("_", " ")
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
                verb=_verb(entry, model),
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
