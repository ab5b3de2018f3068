"""Optimistic locking's message: who changed a record since it was opened, and each field's two values."""

from django.core.exceptions import ValidationError
from django.utils import timezone

# The code of an edit refused because someone else saved the record since it was opened: forms and
# callers recognise the conflict by it (the summary under "__all__"; each changed field has "changed_by_other").
RECORD_CHANGED = "record_changed"


def describe_conflict(record, *, loaded_version: int) -> dict[str, ValidationError]:
    """Who changed the record since ``loaded_version`` was opened, when, and each field's two values.

    Returns errors keyed by field (their value and yours) plus a summary under "__all__" (code
    RECORD_CHANGED).
    """
    history = record.history.order_by("-history_id")
    latest = history.first()
    base = history.filter(version=loaded_version).first()
    who = getattr(latest.history_user, "username", None) or "someone else" if latest else "someone else"
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else "?"
    errors: dict[str, ValidationError] = {}
    if latest is not None and base is not None:
        for field in record._meta.concrete_fields:
            if not field.editable or field.primary_key:
                continue
            theirs, before = field.value_from_object(latest), field.value_from_object(base)
            if theirs != before:
                yours = field.value_from_object(record)
                errors[field.name] = ValidationError(
                    f'Changed by {who} to "{_shown(theirs)}"; you entered "{_shown(yours)}".', code="changed_by_other"
                )
    errors["__all__"] = ValidationError(
        f"This {record._meta.verbose_name} was changed by {who} at {when} since you opened it. "
        "Nothing was saved: the form now shows your entries with their values beside them; "
        "check them and save again.",
        code=RECORD_CHANGED,
    )
    return errors


def _shown(value) -> str:
    return "" if value is None else str(value)
