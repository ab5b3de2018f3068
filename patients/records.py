"""What every clinical record shares: an audit trail, voiding instead of deleting, site scoping.

Clinical data is never lost and never silently changed:
- every model here keeps a django-simple-history trail (who, when, every old value, the reason);
- an update must carry a reason for change (``record._change_reason``), or the save is refused;
- deleting is refused at the instance and the queryset level, and no "delete" permission exists;
  a record entered in error is voided with a reason instead;
- bulk ``QuerySet.update()`` is refused because it would bypass history.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from patients.access import site_ids_for
from patients.choices import ReviewStatus


class HardDeleteRefused(Exception):
    """Clinical records are voided with a reason, never deleted."""


class BulkUpdateRefused(Exception):
    """A bulk update writes no history; save each record with a reason instead."""


class ChangeReasonRequired(Exception):
    """An update to a clinical record was attempted without a reason for change."""


class CasebookLocked(Exception):
    """The participant's casebook is locked: its data are read-only on every path until unlocked."""


class RecordLocked(Exception):
    """The record itself is locked (review status "locked"): a coordinator must unlock it first."""


class ReviewStatusRefused(Exception):
    """The review status was changed by a plain save instead of a transition (patients/review.py)."""


class RecordChanged(Exception):
    """Optimistic locking: the record was saved by someone else since this copy was loaded."""


class RuleErrors:
    """Runs several rules in a model's clean() and reports all their messages at once, field by field,
    so a clinician sees every problem of a form in one round, not one per submit."""

    def __init__(self):
        # Each error kept as the rule raised it, so its code reaches forms and callers.
        self.errors: dict[str, list[ValidationError]] = {}

    def check(self, rule, **kwargs) -> None:
        try:
            rule(**kwargs)
        except ValidationError as exc:
            for field, errors in exc.update_error_dict({}).items():
                self.errors.setdefault(field, []).extend(errors)

    def add(self, field: str, message: str, code: str | None = None) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


class ClinicalQuerySet(models.QuerySet):
    def delete(self):
        raise HardDeleteRefused(f"{self.model._meta.verbose_name_plural} cannot be deleted; void them instead.")

    delete.queryset_only = True

    def update(self, **kwargs):
        raise BulkUpdateRefused(f"Bulk update of {self.model._meta.verbose_name_plural} would bypass the audit trail.")

    def active(self):
        """Records not voided."""
        return self.filter(voided=False)


class AuditEntry(models.Model):
    """Columns every history row has beyond simple-history's own (who, when, reason, every value)."""

    # A correction made in answer to a data query names it, so the query shows the change it led to and
    # the audit trail shows why the change was made. No database constraint: history rows outlive anything.
    answers_query = models.ForeignKey(
        "patients.DataQuery",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="The data query this change answers.",
    )

    class Meta:
        abstract = True


@receiver(pre_create_historical_record)
def _link_history_to_query(sender, instance, history_instance, **kwargs):
    if isinstance(history_instance, AuditEntry):
        history_instance.answers_query_id = getattr(instance, "_answers_query_id", None)


def take_casebook_turns(participant_ids) -> None:
    """Lock the participants' rows (FOR NO KEY UPDATE) until the transaction ends, in participant order,
    so that writers of one casebook take turns and writers holding several never wait on each other in a
    cycle. A no-op outside a transaction (nothing to hold it for) and on SQLite (one writer anyway)."""
    from patients.models import Participant

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


class ClinicalRecord(models.Model):
    created_datetime = models.DateTimeField(auto_now_add=True, editable=False)
    modified_datetime = models.DateTimeField(auto_now=True, editable=False)
    voided = models.BooleanField(
        default=False, editable=False, help_text="Entered in error; kept for the audit trail, left out of analysis."
    )
    void_reason = models.TextField(blank=True, editable=False)
    voided_datetime = models.DateTimeField(null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # Optimistic locking: every save increments it, and a save based on an older version is refused, so
    # two people editing the same record cannot overwrite each other (on every path: forms, admin, import).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ClinicalQuerySet.as_manager()
    history = HistoricalRecords(inherit=True, bases=[AuditEntry])
    # A save of a record of this kind is a change to the casebook's data and voids an earlier signature.
    invalidates_signature = True
    # What names a record of this kind to a person and in exports (with the participant's study ID), never
    # its database id: e.g. ("observation_date",) or ("analyte__code", "sample_datetime").
    natural_key_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True
        # No "delete" permission exists for any role: records are voided, not deleted.
        default_permissions = ("add", "change", "view")
        constraints = [
            models.CheckConstraint(
                condition=Q(voided=False) | (~Q(void_reason="") & Q(voided_datetime__isnull=False)),
                name="%(app_label)s_%(class)s_void_has_reason",
                violation_error_message="A voided record needs a reason and a date.",
            )
        ]

    def save(self, *args, **kwargs):
        locked = self.casebook_lock_message()
        if locked:
            # The backstop under clean(): no path (script, import, admin, form) writes into a locked casebook.
            raise CasebookLocked(locked)
        if self._state.adding:
            super().save(*args, **kwargs)
            # A record added after signing is new data the investigator has not signed either.
            self._invalidate_signatures(added=True)
            return
        if not (getattr(self, "_change_reason", "") or "").strip():
            raise ChangeReasonRequired(
                f"Changing a saved {self._meta.verbose_name} needs a reason for change (set _change_reason)."
            )
        loaded = getattr(self, "_loaded_version", None)
        self._expected_version = loaded if loaded is not None else self.version
        self.version = self._expected_version + 1
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.version = self._expected_version
            raise
        finally:
            self._expected_version = None
        self._invalidate_signatures()
        # A reason explains one change only; the next save must give its own.
        self._change_reason = None
        self._loaded_version = None
        self._answers_query_id = None

    def _invalidate_signatures(self, *, added: bool = False) -> None:
        """Any change to signed data (a record added, changed or voided, on any path) invalidates the
        signature, saying which record, by whom and why."""
        participant = self.locking_participant()
        if (
            participant is None
            or not self.invalidates_signature
            or getattr(self, "_changing_lock", False)
            or getattr(self, "_review_transition", None) is not None
        ):
            # Locking and review steps are not changes to the data the investigator signed.
            return
        from patients.signatures import CasebookSignature

        user = getattr(self, "_history_user", None)
        for signature in CasebookSignature.objects.active().filter(participant=participant, invalidated_datetime=None):
            signature.invalidated_datetime = timezone.now()
            what = "added" if added else "changed"
            reason = (getattr(self, "_change_reason", "") or "").strip()
            signature.invalidated_reason = (
                f"{self._meta.verbose_name.capitalize()} {self} {what}"
                f"{' by ' + user.get_username() if user else ''} after signing{': ' + reason if reason else ''}"
            )[:300]
            signature._history_user = user
            signature._change_reason = "Invalidated by a later change to the casebook"
            signature.save()

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        # UPDATE ... WHERE pk = %s AND version = %s: atomic, so the check and the write cannot be split.
        if base_qs.filter(pk=pk_val, version=expected)._update(values) > 0:
            return True
        if base_qs.filter(pk=pk_val).exists():
            raise RecordChanged(describe_conflict(self, loaded_version=expected)["__all__"].message)
        return False

    def full_clean(self, *args, **kwargs):
        self.take_casebook_write_turn()
        self._date_times_as_instants()
        super().full_clean(*args, **kwargs)

    def _date_times_as_instants(self) -> None:
        """Every date-time in UTC before the rules compare them. Python compares two datetimes that share a
        tzinfo as wall clocks, so across a daylight-saving fall-back 01:45 (first) would count as after
        01:30 (second); in UTC they compare as the instants they are (and UTC is what is stored)."""
        for field in self._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                value = getattr(self, field.attname)
                if isinstance(value, datetime.datetime) and not timezone.is_naive(value):
                    setattr(self, field.attname, value.astimezone(datetime.UTC))

    def take_casebook_write_turn(self) -> None:
        """Writers of one casebook take turns: lock the participant's row until this transaction ends.

        Without it, two clinicians saving the same participant at the same moment both pass validation
        (neither sees the other's uncommitted row) and the second save fails at the database with an
        IntegrityError (a duplicate day) or RecordChanged (an edit over an edit): a 500 instead of a
        message. Holding the turn, the second writer validates after the first has committed and gets
        the field's own message ("already recorded", "changed since you opened it").
        FOR NO KEY UPDATE: it queues writers of this casebook only; rows of other tables that merely point
        at the participant are not held up. Outside a transaction there is nothing to hold it for, and
        SQLite (one writer at a time anyway) ignores it."""
        participant = self.locking_participant()
        if participant is not None and participant.pk is not None:
            take_casebook_turns([participant.pk])

    def clean(self):
        super().clean()
        locked = self.casebook_lock_message()
        if locked:
            raise ValidationError(locked)
        loaded = getattr(self, "_loaded_version", None)
        if loaded is not None and not self._state.adding:
            current = type(self).objects.filter(pk=self.pk).values_list("version", flat=True).first()
            if current is not None and current != loaded:
                raise ValidationError(describe_conflict(self, loaded_version=loaded))

    def locking_participant(self):
        """The participant whose casebook lock governs this record (None: not part of a casebook)."""
        return None

    def casebook_lock_message(self) -> str:
        """Why this record cannot be written now ("" when it can). Reads the lock from the database, not
        from a possibly stale copy; the lock service itself passes with ``_changing_lock``."""
        participant = self.locking_participant()
        if participant is None or participant.pk is None or getattr(self, "_changing_lock", False):
            return ""
        from patients.models import Participant

        lock = (
            Participant.objects.filter(pk=participant.pk, casebook_locked=True)
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

    def delete(self, *args, **kwargs):
        raise HardDeleteRefused(f"A {self._meta.verbose_name} cannot be deleted; void it with a reason instead.")

    def void(self, *, reason: str, user) -> None:
        """Mark the record as entered in error. It stays in the database and its history.

        Voiding is a change to the casebook like any other: it takes the casebook's write turn, is refused
        in a locked casebook or on a locked record, and runs the record's own rules for what may be voided
        (``check_void``, e.g. an infusion's sequence) before anything is written."""
        self.take_casebook_write_turn()
        if not reason or not reason.strip():
            raise ValidationError(
                {"void_reason": ValidationError("Give the reason for voiding this record.", code="required")}
            )
        if self.voided:
            raise ValidationError(
                {"void_reason": ValidationError("This record is already voided.", code="already_voided")}
            )
        locked = self.casebook_lock_message()
        if locked:
            raise ValidationError({"void_reason": ValidationError(locked, code="casebook_locked")})
        if getattr(self, "review_status", "") == ReviewStatus.LOCKED:
            raise ValidationError(
                {
                    "void_reason": ValidationError(
                        "This record is locked: a coordinator must unlock it before it can be voided.",
                        code="record_locked",
                    )
                }
            )
        self.check_void()
        self.voided = True
        self.void_reason = reason.strip()
        self.voided_datetime = timezone.now()
        self.voided_by = user
        self._change_reason = f"Voided: {self.void_reason}"
        self._history_user = user
        self.save()

    def check_void(self) -> None:
        """The record's own rules for voiding it (ValidationError on ``void_reason``); none by default."""


class ParticipantRecordQuerySet(ClinicalQuerySet):
    def for_user(self, user):
        """Records of the participants at the user's sites (all sites for a cross-site role)."""
        site_ids = site_ids_for(user)
        return self if site_ids is None else self.filter(participant__site_id__in=site_ids)


class ParticipantRecord(ClinicalRecord):
    """A clinical record that belongs to one participant's casebook."""

    participant = models.ForeignKey("patients.Participant", on_delete=models.PROTECT, related_name="%(class)ss")

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta(ClinicalRecord.Meta):
        abstract = True

    def locking_participant(self):
        return self.participant_for_rules()

    def participant_for_rules(self):
        """The participant, also when it is still unsaved (an admin inline on the "add" page), or None."""
        if self.participant_id or type(self).participant.is_cached(self):
            return self.participant
        return None


class CaseReportForm(ParticipantRecord):
    """A case report form record under review: draft -> submitted -> verified (SDV) -> locked.

    The status moves through ``patients.services.record_review`` (the transition table and who may make
    each move are in ``patients/review.py``); each move is a save, so who and when are in the audit trail
    with the step as the reason. A plain save (form, admin, import) is an edit: it may submit a draft,
    returns a verified record to submitted, and is refused on a locked record.
    """

    review_status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, editable=False
    )
    review_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    review_changed_datetime = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    verified_datetime = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(ParticipantRecord.Meta):
        abstract = True
        constraints = [
            *ParticipantRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(review_status__in=ReviewStatus.values),
                name="%(app_label)s_%(class)s_review_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=[ReviewStatus.DRAFT, ReviewStatus.SUBMITTED])
                | Q(verified_by__isnull=False, verified_datetime__isnull=False),
                name="%(app_label)s_%(class)s_verified_has_who_when",
                violation_error_message="A verified or locked record needs who verified it and when.",
            ),
        ]

    def save(self, *args, **kwargs):
        kept = (
            "review_status",
            "review_changed_by_id",
            "review_changed_datetime",
            "verified_by_id",
            "verified_datetime",
        )
        before = {name: getattr(self, name) for name in kept}
        before["_change_reason"] = getattr(self, "_change_reason", None)
        try:
            if getattr(self, "_review_transition", None) is None:
                self._apply_edit_to_review()
            super().save(*args, **kwargs)
        except BaseException:
            # A refused save leaves this copy as it was, so the form shows what the user had.
            for name, value in before.items():
                setattr(self, name, value)
            raise
        finally:
            self._review_transition = None

    def clean(self):
        super().clean()
        if not self._state.adding and self._stored_review_status() == ReviewStatus.LOCKED:
            raise ValidationError(self.record_lock_message())

    def _stored_review_status(self) -> str | None:
        # From the database, not from this possibly stale copy (optimistic locking catches a race after).
        return type(self).objects.filter(pk=self.pk).values_list("review_status", flat=True).first()

    def _apply_edit_to_review(self) -> None:
        user = getattr(self, "_history_user", None)
        if self._state.adding:
            if self.review_status not in (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED):
                raise ReviewStatusRefused("A new record starts as a draft or submitted.")
            if self.review_status == ReviewStatus.SUBMITTED:
                self.review_changed_by, self.review_changed_datetime = user, timezone.now()
            return
        stored = self._stored_review_status()
        if stored == ReviewStatus.LOCKED:
            raise RecordLocked(self.record_lock_message())
        if self.review_status == stored:
            if stored == ReviewStatus.VERIFIED:
                # The verified values are no longer the record's: it goes back for re-verification.
                self.review_status = ReviewStatus.SUBMITTED
                self.verified_by = self.verified_datetime = None
                self.review_changed_by, self.review_changed_datetime = user, timezone.now()
                if (getattr(self, "_change_reason", "") or "").strip():
                    self._change_reason = f"{self._change_reason} (was verified: back to submitted)"
        elif (stored, self.review_status) == (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED):
            # Saving a draft with "Submit": an edit and the submit step in one (same permission).
            self.review_changed_by, self.review_changed_datetime = user, timezone.now()
        else:
            raise ReviewStatusRefused(
                f"The review status moves only through its steps (patients/review.py), not from {stored} "
                f"to {self.review_status} by a save."
            )

    def record_lock_message(self) -> str:
        who = getattr(self.review_changed_by, "username", None) or "a coordinator"
        when = (
            f" on {timezone.localtime(self.review_changed_datetime):%Y-%m-%d %H:%M}"
            if self.review_changed_datetime
            else ""
        )
        return (
            f"This {self._meta.verbose_name} is locked (by {who}{when}): it cannot be changed. "
            "A coordinator can unlock it, giving a reason."
        )


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
