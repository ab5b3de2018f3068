"""The casebook lock (a coordinator's "read-only on every path") and the write turn writers of one casebook
take. The lock itself is set by patients.casebook.services.casebook_lock; these are what every record's save
and clean() consult. The participant model is looked up through the app registry: this module sits under
the models that call it."""

from django.apps import apps
from django.db import router, transaction
from django.utils import timezone


def _participant_model():
    return apps.get_model("patients", "Participant")


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
    lock = (
        _participant_model()
        .objects.filter(pk=participant.pk, casebook_locked=True)
        .values_list("study_id", "casebook_locked_by__username", "casebook_locked_datetime")
        .first()
    )
    if lock is None:
        return ""
    study_id, by, when = lock
    return (
        f"The casebook of {study_id} is locked (by {by or 'a coordinator'} on "
        f"{timezone.localtime(when):%Y-%m-%d %H:%M}): its data cannot be changed. "
        "A coordinator can unlock it, giving a reason."
    )
