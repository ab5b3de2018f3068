"""The one way a clinical record is saved: ``record_save(record, user=..., reason=...)``.

Who made a change, why, which version it was based on and which data query it answers travel with the
record to its save, where the models' guards read them (patients/casebook/records.py): an update without
a reason is refused, a save based on an older version is refused, and the audit trail (simple-history)
stores the user, the reason and the query. Nothing else sets those attributes: forms, the admin, imports,
services, the demo and the tests all come through here.
"""


def prepare_save(record, *, user, reason: str = "", expected_version: int | None = None, answers_query=None):
    """Attach who, why and which version to ``record`` before it is validated and saved (a form that
    validates first and lets ModelForm.save() write calls this before validation; everyone else calls
    record_save)."""
    record._history_user = user
    record._change_reason = reason or None
    if expected_version is not None:
        record._loaded_version = expected_version
    if answers_query is not None:
        record._answers_query_id = getattr(answers_query, "pk", answers_query)
    return record


def record_save(
    record,
    *,
    user,
    reason: str = "",
    expected_version: int | None = None,
    answers_query=None,
    validate: bool = False,
    review_step: str | None = None,
    lock_change: bool = False,
):
    """Save ``record`` as ``user``, with ``reason`` (required for a change to a saved record; optional for a
    new one), refused if it was changed since ``expected_version`` was loaded, naming the data query it
    answers. ``validate`` runs full_clean() first (a service that built the record itself).

    ``review_step`` and ``lock_change`` are for the review and casebook-lock services only: a review step
    may change the review status, and locking is not a change of the data the investigator signed."""
    prepare_save(record, user=user, reason=reason, expected_version=expected_version, answers_query=answers_query)
    record._review_transition = review_step
    record._changing_lock = lock_change
    try:
        if validate:
            record.full_clean()
        record.save()
    finally:
        record._changing_lock = False
        record._review_transition = None
    return record
