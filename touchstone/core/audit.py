"""Writing the audit log. Every service that changes data calls `record` inside its transaction."""

from typing import Any

from django.db import models

from touchstone.core.models import Agency, AuditEntry, User

# Fields whose values never enter the log (free text from the public, secrets); only the fact of a change does.
NEVER_LOGGED = frozenset(
    {
        "narrative",
        "answers",
        "answer",
        "comment",
        "body",
        "email",
        "phone",
        "hashed_secret",
        "password",
        "contact",
        "text",
        "description_private",
    }
)


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [old, new]} for fields that changed; protected fields show only that they changed."""
    changes: dict[str, Any] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        changes[field] = "changed" if field in NEVER_LOGGED else [_plain(old), _plain(new)]
    return changes


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {field: _plain(getattr(instance, field)) for field in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    agency: Agency | None,
    changes: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    label = actor_label or (actor.get_username() if actor is not None else "system")
    return AuditEntry.objects.create(
        agency=agency,
        actor=actor,
        actor_label=label[:150],
        action=action,
        object_type=target._meta.model_name or type(target).__name__,
        object_id=str(target.pk or ""),
        object_repr=str(target)[:200],
        changes={
            key: value
            for key, value in (changes or {}).items()
            if key not in NEVER_LOGGED or value == "changed"
        },
    )


def save_with_audit(
    instance: models.Model,
    data: dict[str, Any],
    *,
    actor: User | None,
    agency: Agency | None,
    actor_label: str = "",
    exclude_from_validation: list[str] | None = None,
) -> models.Model:
    """Apply `data`, validate, save and record what changed: the one way services create and update a record.

    Call inside the service's transaction. The "before" comes from the database, because a bound ModelForm has
    already changed the instance in memory.
    """
    fields = sorted(data)
    is_new = instance.pk is None
    before = {} if is_new else snapshot(type(instance)._default_manager.get(pk=instance.pk), fields)
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean(exclude=exclude_from_validation)
    instance.save()
    record(
        actor=actor,
        actor_label=actor_label,
        action="created" if is_new else "updated",
        target=instance,
        agency=agency,
        changes=describe_changes(before, snapshot(instance, fields)),
    )
    return instance
