"""The one way a clinical record is saved: ``record_save(record, user=..., reason=...)``, or with a context
already made, ``saving(record, context)``.

Who saves and why travels as one object, the record's ``save_context`` (a ``SaveContext``): the user, the
reason for change, the version the change was based on, the data query it answers, and, for the services
that do them, the review step or the casebook lock change. The models' guards read it
(patients/casebook/records.py): an update without a reason is refused, a save based on an older version is
refused, and the audit trail (simple-history) stores the user, the reason and the query from it.

Where a library calls ``save()`` itself (a ModelForm's ``save()``, django-import-export's row import), the
caller attaches the context first (``attach``); everyone else calls ``record_save``. Nothing else writes a
record's context, and nothing reads who or why from anywhere else.
"""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SaveContext:
    """Who saves a record, why, and on what basis: read by the record's guards and its audit row."""

    user: object = None
    reason: str = ""  # required to change a saved record; optional for a new one
    expected_version: int | None = None  # the version the change was based on (None: the one in hand)
    answers_query_id: int | None = None  # the data query this change answers
    review_step: str | None = None  # the review service's step: it may change the review status
    lock_change: bool = False  # the lock service: locking is not a change of the data the investigator signed

    @property
    def stated_reason(self) -> str:
        return (self.reason or "").strip()

    def with_reason(self, reason: str) -> "SaveContext":
        return replace(self, reason=reason)


NO_CONTEXT = SaveContext()


def context_of(record) -> SaveContext:
    """The context the record will be (or is being) saved with; an empty one when none was attached."""
    return getattr(record, "save_context", None) or NO_CONTEXT


def attach(record, context: SaveContext):
    """Give ``record`` the context its next save uses (a form that validates first and lets ModelForm.save()
    write, an import row that django-import-export saves); returns the record."""
    record.save_context = context
    return record


def spent(record) -> None:
    """After a save: a reason explains one change only, and the next save must give its own (as must its
    version and query); who is saving stays, for what the same save still writes after the record."""
    record.save_context = SaveContext(user=context_of(record).user)


def prepare_save(record, *, user, reason: str = "", expected_version: int | None = None, answers_query=None):
    """Attach who and why to ``record`` before it is validated and saved, keeping a version or a query an
    earlier step attached when none is given here (a form attaches the version it opened when it validates,
    and the reason and query when it saves)."""
    current = context_of(record)
    return attach(
        record,
        replace(
            current,
            user=user,
            reason=reason or "",
            expected_version=current.expected_version if expected_version is None else expected_version,
            answers_query_id=current.answers_query_id
            if answers_query is None
            else getattr(answers_query, "pk", answers_query),
        ),
    )


def saving(record, context: SaveContext, *, validate: bool = False):
    """Save ``record`` with ``context``. ``validate`` runs full_clean() first (a service that built the
    record itself). The review step and lock change apply to this save only, whatever happens."""
    attach(record, context)
    try:
        if validate:
            record.full_clean()
        record.save()
    finally:
        if record.save_context is not None and (context.review_step is not None or context.lock_change):
            record.save_context = replace(record.save_context, review_step=None, lock_change=False)
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
    answers. ``review_step`` and ``lock_change`` are for the review and casebook-lock services only."""
    prepare_save(record, user=user, reason=reason, expected_version=expected_version, answers_query=answers_query)
    context = replace(context_of(record), review_step=review_step, lock_change=lock_change)
    return saving(record, context, validate=validate)
