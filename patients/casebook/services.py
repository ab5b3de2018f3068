"""Write operations on the casebook that every case report form shares: review steps, voiding, data
queries, the investigator's signature and the casebook lock. Each is atomic, checks the user's role and
sites, and records who did it and why in the audit trail (patients.casebook.saving.record_save)."""

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patients.casebook import review
from patients.casebook.access import reauthenticate
from patients.casebook.choices import QuerySiteStatus, QueryStatus, ReviewStatus
from patients.casebook.queries import DataQuery
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.saving import prepare_save, record_save
from patients.casebook.signatures import CasebookSignature
from patients.casebook.sites import site_ids_for


def _save(instance, *, user, reason: str) -> None:
    record_save(instance, user=user, reason=reason, validate=True)


@transaction.atomic
def casebook_lock(*, participant, user, reason: str, override_reason: str = ""):
    """Lock a participant's casebook: every record becomes read-only on every path.

    Every case report form record of the casebook must be verified (or locked) first. A coordinator may
    lock with records still unverified only by stating why (``override_reason``); the audit trail keeps
    that reason with the number of unverified records."""
    return _set_lock(participant=participant, user=user, reason=reason, locked=True, override_reason=override_reason)


def unverified_records(participant) -> dict[str, int]:
    """Per form (verbose name, plural), how many active records of the casebook are neither verified nor
    locked. Every case report form model counts, whichever app declares it (found through the app registry:
    this floor names no app above it)."""
    counts = {}
    for model in apps.get_models():
        if issubclass(model, CaseReportForm):
            count = (
                model.objects.active()
                .filter(participant=participant)
                .exclude(review_status__in=(ReviewStatus.VERIFIED, ReviewStatus.LOCKED))
                .count()
            )
            if count:
                counts[str(model._meta.verbose_name_plural if count > 1 else model._meta.verbose_name)] = count
    return counts


@transaction.atomic
def casebook_unlock(*, participant, user, reason: str):
    """Unlock a casebook (e.g. to correct data after a late query); the reason is kept in the audit trail."""
    return _set_lock(participant=participant, user=user, reason=reason, locked=False)


def _set_lock(*, participant, user, reason, locked, override_reason=""):
    if not user.has_perm("patients.lock_casebook"):
        raise PermissionDenied("Only a coordinator can lock or unlock a casebook.")
    if not (reason or "").strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    f"Give the reason for {'locking' if locked else 'unlocking'} the casebook.", code="missing"
                )
            }
        )
    participant = type(participant).objects.select_for_update().get(pk=participant.pk)
    open_queries = participant.data_queries.open().count()
    if locked and open_queries:
        raise ValidationError(
            {
                "reason": ValidationError(
                    f"{participant.study_id} has {open_queries} open data queries: close them first.",
                    code="open_queries",
                )
            }
        )
    if participant.casebook_locked == locked:
        state = "locked" if locked else "unlocked"
        raise ValidationError(
            {"reason": ValidationError(f"{participant.study_id} is already {state}.", code=f"already_{state}")}
        )
    note = ""
    if locked:
        unverified = unverified_records(participant)
        if unverified and not (override_reason or "").strip():
            listed = ", ".join(f"{count} {name}" for name, count in unverified.items())
            raise ValidationError(
                {
                    "override_reason": ValidationError(
                        f"{participant.study_id} has records not yet verified ({listed}): verify them first, or "
                        "state why the casebook must be locked now.",
                        code="unverified_records",
                    )
                }
            )
        if unverified:
            note = f" (locked with {sum(unverified.values())} unverified records: {override_reason.strip()})"
    participant.casebook_locked = locked
    participant.casebook_locked_datetime = timezone.now() if locked else None
    participant.casebook_locked_by = user if locked else None
    record_save(
        participant,
        user=user,
        reason=f"Casebook {'locked' if locked else 'unlocked'}: {reason.strip()}{note}",
        validate=True,
        lock_change=True,
    )
    return participant


@transaction.atomic
def query_raise(*, record, user, text: str, field_name: str = "", check_code: str = "") -> DataQuery:
    """A coordinator or monitor asks about a record, optionally one field of it."""
    # A query about a record of the casebook, or about the participant's own record (enrolment).
    participant = record.participant if hasattr(record, "participant_id") else record
    query = DataQuery(
        participant=participant,
        record=record,
        field_name=field_name,
        text=text,
        raised_by=user,
        check_code=check_code,
    )
    _save(query, user=user, reason="Query raised")
    return query


@transaction.atomic
def automatic_queries_raise(queries: list[DataQuery]) -> list[DataQuery]:
    """The nightly data checks' new queries (built with ``record=``, ``check_code``, no user), in bulk: each
    through the model's clean() as query_raise's are, then written by DataQuery.add_in_bulk, one history row
    each ("Query raised", by the checks). The check and unique constraints are the database's (one open query
    per check and record among them): a violation fails the whole run, nothing half-raised. A casebook locked
    meanwhile takes no new query: those are returned unraised. Run it under casebooks_held (the checks do), or
    each query reads its casebook's lock.

    One query per record would take the first run at 5,000 participants a quarter of an hour (issue 19)."""
    raising, unraised = [], []
    for query in queries:
        (unraised if query.casebook_lock_message() else raising).append(query)
    for query in raising:
        prepare_save(query, user=None, reason="Query raised")
        query.checked_on_write = True
        query.full_clean()
    DataQuery.add_in_bulk(raising)
    return unraised


@transaction.atomic
def query_answer(*, query: DataQuery, user, answer: str) -> DataQuery:
    """The site answers (and may have corrected the data, citing the query in the change reason)."""
    query = query.locked_for_write()
    if query.status != QueryStatus.OPEN:
        raise ValidationError({"answer": ValidationError("This query is closed.", code="query_closed")})
    query.answer = answer
    query.site_status = QuerySiteStatus.ANSWERED
    query.answered_by = user
    query.answered_datetime = timezone.now()
    _save(query, user=user, reason="Query answered")
    return query


@transaction.atomic
def query_close(*, query: DataQuery, user, note: str = "", automatic: bool = False) -> DataQuery:
    """The raiser (or a coordinator) closes the query; the nightly checks close their own (``automatic``)
    when the data no longer show the problem."""
    query = query.locked_for_write()
    if not automatic:
        _check_may_review(query, user)
    if query.status == QueryStatus.CLOSED:
        raise ValidationError({"status": ValidationError("This query is already closed.", code="query_closed")})
    query.status = QueryStatus.CLOSED
    query.closed_by = user
    query.closed_datetime = timezone.now()
    _save(query, user=user, reason=f"Query closed{': ' + note.strip() if note.strip() else ''}")
    return query


@transaction.atomic
def record_void(*, record, user, reason: str):
    """Void a record entered in error, with the reason: for whoever may change records of its kind, at
    their sites. The record's own rules decide whether it may be voided now (ClinicalRecord.void)."""
    meta = type(record)._meta
    if not user.has_perm(f"{meta.app_label}.change_{meta.model_name}"):
        raise PermissionDenied(f"Your role cannot void {meta.verbose_name_plural}.")
    participant = record.locking_participant()
    site_ids = site_ids_for(user)
    if site_ids is not None and (participant is None or participant.site_id not in site_ids):
        raise PermissionDenied("This record belongs to a site you do not work at.")
    record = record.locked_for_write()
    record.void(reason=reason, user=user)
    return record


@transaction.atomic
def query_reopen(*, query: DataQuery, user, reason: str) -> DataQuery:
    """The raiser re-opens a query whose answer does not settle it; it awaits the site again."""
    query = query.locked_for_write()
    _check_may_review(query, user)
    if not (reason or "").strip():
        raise ValidationError({"text": ValidationError("Say why the query is re-opened.", code="missing")})
    query.status = QueryStatus.OPEN
    query.site_status = QuerySiteStatus.AWAITING
    query.closed_by = None
    query.closed_datetime = None
    _save(query, user=user, reason=f"Query re-opened: {reason.strip()}")
    return query


def _check_may_review(query, user):
    if user != query.raised_by and not user.has_perm("patients.lock_casebook"):
        raise PermissionDenied("Only the person who raised the query, or a coordinator, can close or re-open it.")


def casebook_sign(*, participant, user, password: str, meaning: str, request=None) -> CasebookSignature:
    """The investigator signs: re-authenticates with the password and states the meaning.

    The password is checked as a login checks it (patients.casebook.access.reauthenticate): a wrong one counts
    towards the login lockout and is in the access log, and a locked-out user cannot sign. That check is
    made outside the signing transaction, so a refusal does not roll its own record back."""
    if not user.has_perm("patients.sign_casebook"):
        raise PermissionDenied("Only an investigator can sign a casebook.")
    if not reauthenticate(user, password, request=request, purpose="casebook signing"):
        raise ValidationError({"password": ValidationError("The password is not correct.", code="password_incorrect")})
    return _casebook_sign(participant=participant, user=user, meaning=meaning)


@transaction.atomic
def _casebook_sign(*, participant, user, meaning: str) -> CasebookSignature:
    if CasebookSignature.objects.active().filter(participant=participant, invalidated_datetime=None).exists():
        raise ValidationError(
            {
                "meaning": ValidationError(
                    f"{participant.study_id} is already signed and unchanged since.", code="already_signed"
                )
            }
        )
    signature = CasebookSignature(participant=participant, signed_by=user, meaning=meaning)
    _save(signature, user=user, reason=f"Casebook signed: {signature.get_meaning_display()}")
    return signature


@transaction.atomic
def record_review(*, record, user, step: str, reason: str = "", seen_version: int | None = None):
    """Move a case report form record one step in review (submit, verify, unverify, lock, unlock).

    ``seen_version``: the record's version as the reviewer's page showed its values (the monitor's review
    page); a record changed since is refused (``changed_since_shown``), and the audit entry names the version.

    The table of steps and who may take each is ``patients/casebook/review.py``. Raises PermissionDenied for the
    role, ValidationError for the record's state (voided, wrong status, open queries, casebook locked),
    and saves nothing then. The step is a save of its own: who, when and the step are in the audit trail.
    """
    transition = review.transition_named(step)
    model = type(record)
    site_ids = site_ids_for(user)
    # The casebook's turn first, as every edit takes it (same order: no deadlock), then the fresh row.
    record.take_casebook_write_turn()
    record = model.objects.select_for_update().select_related("participant").get(pk=record.pk)
    if site_ids is not None and record.participant.site_id not in site_ids:
        raise PermissionDenied("This record belongs to a site you do not work at.")
    meta = model._meta
    open_queries = DataQuery.objects.open().about(record)
    review.check_transition(
        transition,
        status=record.review_status,
        has_perm=user.has_perm,
        edit_permission=f"{meta.app_label}.change_{meta.model_name}",
        reason=reason,
        voided=record.voided,
        open_queries=open_queries.count(),
        version=record.version,
        seen_version=seen_version,
    )
    locked = record.casebook_lock_message()
    if locked:
        raise ValidationError({"review_status": ValidationError(locked, code="casebook_locked")})
    now = timezone.now()
    record.review_status = transition.target
    record.review_changed_by, record.review_changed_datetime = user, now
    if transition.target == ReviewStatus.VERIFIED and transition.name == "verify":
        record.verified_by, record.verified_datetime = user, now
    elif transition.target == ReviewStatus.SUBMITTED:
        record.verified_by = record.verified_datetime = None
    # No full_clean(): a step changes no data, and an old record must stay reviewable after a rule changes.
    note = f"{transition.label}{': ' + reason.strip() if (reason or '').strip() else ''}"
    if seen_version is not None:
        note += f" (values as shown, version {seen_version})"
    record_save(record, user=user, reason=note, review_step=transition.name)
    return record
