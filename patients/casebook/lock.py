"""The casebook lock (a coordinator's "read-only on every path") and the write turn writers of one casebook
take. The lock itself is set by patients.casebook.services.casebook_lock; these are what every record's save
and clean() consult. The participant model is looked up through the app registry: this module sits under
the models that call it."""

import contextlib
import contextvars

from django.apps import apps
from django.db import router, transaction
from django.utils import timezone

# The casebooks a batch holds (casebooks_held): their ids, the lock message of each locked one, and which of
# them have a valid signature (which a record's save would otherwise look up to invalidate it).
_held: contextvars.ContextVar = contextvars.ContextVar("casebooks_held", default=None)


def _participant_model():
    return apps.get_model("patients", "Participant")


@contextlib.contextmanager
def casebooks_held(participant_ids):
    """For a batch writing many records (an import, the nightly checks): take the casebooks' write turns at once,
    in participant order, and read which are locked once. Inside, a record of these casebooks validates and
    saves without its own turn and lock lookup (two queries per record), under the same rules: the turns are
    held until the transaction ends, so no lock can change meanwhile. Must run inside a transaction (on
    PostgreSQL the turns would otherwise end at once)."""
    Participant = _participant_model()
    using = router.db_for_write(Participant)
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("casebooks_held() needs a transaction: the turns are held until it ends.")
    ids = set(participant_ids)
    outer = _held.get()
    if outer is not None:
        ids -= outer[0]
    take_casebook_turns(ids)
    locked = {
        pk: _lock_text(study_id, by, when)
        for pk, study_id, by, when in Participant.objects.filter(pk__in=ids, casebook_locked=True).values_list(
            "pk", "study_id", "casebook_locked_by__username", "casebook_locked_datetime"
        )
    }
    signed = set(
        apps.get_model("patients", "CasebookSignature")
        .objects.filter(participant__in=ids, voided=False, invalidated_datetime=None)
        .values_list("participant_id", flat=True)
    )
    if outer is not None:
        ids |= outer[0]
        locked |= outer[1]
        signed |= outer[2]
    token = _held.set((ids, locked, signed))
    try:
        yield
    finally:
        _held.reset(token)


def held_turn(participant_id) -> bool:
    """Whether a batch (casebooks_held) already holds this casebook's write turn."""
    held = _held.get()
    return held is not None and participant_id in held[0]


def may_be_signed(participant_id) -> bool:
    """False when a batch holds this casebook and it had no valid signature when taken (nor got one since,
    note_signed): a save then has no signature to invalidate and need not look one up."""
    held = _held.get()
    return held is None or participant_id not in held[0] or participant_id in held[2]


def note_signed(participant_id) -> None:
    """A signature was added to this casebook: inside a batch holding it, later saves must look it up."""
    held = _held.get()
    if held is not None:
        held[2].add(participant_id)


def take_casebook_turns(participant_ids) -> None:
    """Lock the participants' rows (FOR NO KEY UPDATE) until the transaction ends, in participant order,
    so that writers of one casebook take turns and writers holding several never wait on each other in a
    cycle. A no-op outside a transaction (nothing to hold it for) and on SQLite (one writer anyway)."""
    Participant = _participant_model()
    using = router.db_for_write(Participant)
    if not transaction.get_connection(using).in_atomic_block:
        return
    list(
        Participant.objects.using(using)
        .select_for_update(no_key=True)
        .filter(pk__in=set(participant_ids))
        .order_by("pk")
        .values("pk")
    )


def casebook_lock_message(participant) -> str:
    """Why the participant's casebook cannot be written now ("" when it can). Read from the database, not
    from a possibly stale copy."""
    if participant is None or participant.pk is None:
        return ""
    held = _held.get()
    if held is not None and participant.pk in held[0]:
        return held[1].get(participant.pk, "")  # read once for the batch, under its turn
    lock = (
        _participant_model()
        .objects.filter(pk=participant.pk, casebook_locked=True)
        .values_list("study_id", "casebook_locked_by__username", "casebook_locked_datetime")
        .first()
    )
    if lock is None:
        return ""
    return _lock_text(*lock)


def _lock_text(study_id, by, when) -> str:
    return (
        f"The casebook of {study_id} is locked (by {by or 'a coordinator'} on "
        f"{timezone.localtime(when):%Y-%m-%d %H:%M}): its data cannot be changed. "
        "A coordinator can unlock it, giving a reason."
    )
