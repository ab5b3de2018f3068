"""What every clinical record shares: an audit trail, voiding instead of deleting, site scoping.

Clinical data is never lost and never silently changed:
- every model here keeps a django-simple-history trail (who, when, every old value, the reason);
- an update must carry a reason for change (``record_save(record, user=..., reason=...)``), or the save
  is refused;
- deleting is refused at the instance and the queryset level, and no "delete" permission exists;
  a record entered in error is voided with a reason instead;
- bulk ``QuerySet.update()`` is refused because it would bypass history.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from simple_history.models import HistoricalRecords

from patients.casebook.audit import AuditEntry
from patients.casebook.choices import ReviewStatus
from patients.casebook.conflicts import describe_conflict
from patients.casebook.constraints import ConstraintsInOneQuery
from patients.casebook.data_version import data_changed
from patients.casebook.exceptions import (
    BulkUpdateRefused,
    CasebookLocked,
    ChangeReasonRequired,
    HardDeleteRefused,
    RecordChanged,
)
from patients.casebook.lock import casebook_lock_message, held_turn, may_be_signed, take_casebook_turns
from patients.casebook.saving import context_of, record_save, spent
from patients.casebook.sites import site_ids_for

# Sent after a record of the casebook's data is added or changed (voiding is a change): the signature
# module invalidates the investigator's signature. Arguments: record, participant, user, what, reason.
casebook_data_changed = Signal()
# Sent after add_in_bulk wrote a batch of new records: the same for many casebooks at once. Argument:
# first_records, {participant id: the batch's first record of that casebook} (its user and reason with it).
casebook_records_added = Signal()


class ClinicalQuerySet(models.QuerySet):
    def delete(self):
        raise HardDeleteRefused(f"{self.model._meta.verbose_name_plural} cannot be deleted; void them instead.")

    delete.queryset_only = True

    def update(self, **kwargs):
        raise BulkUpdateRefused(f"Bulk update of {self.model._meta.verbose_name_plural} would bypass the audit trail.")

    def active(self):
        """Records not voided."""
        return self.filter(voided=False)


class ClinicalRecord(ConstraintsInOneQuery, models.Model):
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
    # New records of this kind may be written a batch at a time (add_in_bulk): their save does nothing
    # beyond this class's and CaseReportForm's, so one insert for the batch writes what save() would
    # (manage.py check: casebook.E011 refuses one that declares it and has save() work of its own).
    adds_in_bulk = False

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
            self.before_insert()
            super().save(*args, **kwargs)
            # A record added after signing is new data the investigator has not signed either.
            self._invalidate_signatures(added=True)
            return
        context = context_of(self)
        if not context.stated_reason:
            raise ChangeReasonRequired(
                f"Changing a saved {self._meta.verbose_name} needs a reason for change "
                "(record_save(record, user=..., reason=...))."
            )
        expected = context.expected_version if context.expected_version is not None else self.version
        with transaction.atomic(using=router.db_for_write(type(self), instance=self)):
            self._claim_version(expected)
            self.version = expected + 1
            try:
                super().save(*args, **kwargs)
            except BaseException:
                self.version = expected
                raise
        self._invalidate_signatures()
        spent(self)

    def _claim_version(self, expected: int) -> None:
        """Optimistic locking, checked where it is written: the stored row, locked until the transaction ends
        (FOR UPDATE; SQLite's writer holds the whole database), must still be the version this change was
        based on, or the save is refused. A second writer waits for the first and then finds its version."""
        current = (
            type(self)
            ._base_manager.using(router.db_for_write(type(self), instance=self))
            .select_for_update()
            .filter(pk=self.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is not None and current != expected:
            raise RecordChanged(describe_conflict(self, loaded_version=expected)["__all__"].message)

    def before_insert(self) -> None:
        """What a save does to a new record before it is written (CaseReportForm: its review status); the
        same for a record written by add_in_bulk."""

    @classmethod
    def add_in_bulk(cls, records: list) -> None:
        """Write new records, validated with ``checked_on_write`` set (full_clean left the check and unique
        constraints to this write), as their save() would write each: refused in a locked casebook, the
        review status of a new record, one history row each with its user and reason, and the casebook's
        signature invalidated (by the first of its records, as a save of each would: the later ones find it
        invalid already). One insert for the records and one for their history: loading a lab system's file
        one save at a time took a minute per 5,000 rows (issue 19).

        The database checks the constraints: a violated one raises IntegrityError, and nothing of the batch
        is written (a savepoint). The caller then validates and saves the records one by one, which finds
        the row and the message (patients/import_batches.py)."""
        if not cls.adds_in_bulk:
            # Its save() may do more than this writes (casebook.E011 checks the ones that declare it).
            raise TypeError(f"{cls.__name__} does not declare adds_in_bulk: save its records one at a time.")
        for record in records:
            if not record._state.adding:
                raise ValueError("add_in_bulk writes new records only.")
            if context_of(record).answers_query_id is not None:
                raise ValueError("A change answering a data query is saved on its own (record_save).")
            locked = record.casebook_lock_message()
            if locked:
                raise CasebookLocked(locked)
            record.before_insert()
        with transaction.atomic(using=router.db_for_write(cls)):
            # In statements of 500 rows: PostgreSQL takes at most 65,535 parameters in one.
            cls.objects.bulk_create(records, batch_size=500)
            # Who and why from each record's save context, one history insert per context (a batch has one).
            by_context = {}
            for record in records:
                context = context_of(record)
                by_context.setdefault((context.user, context.reason), []).append(record)
            for (user, reason), batch in by_context.items():
                cls.history.bulk_history_create(
                    batch, batch_size=500, default_user=user, default_change_reason=reason or ""
                )
            # bulk_history_create sends no signal.
            owners = [getattr(record, "participant_id", None) for record in records]
            data_changed(using=router.db_for_write(cls), participant_ids=None if None in owners else owners)
        first_of_casebook = {}
        for record in records:
            record.checked_on_write = False
            participant = record.locking_participant()
            if participant is not None and cls.invalidates_signature and may_be_signed(participant.pk):
                first_of_casebook.setdefault(participant.pk, record)
        if first_of_casebook:
            casebook_records_added.send(sender=cls, first_records=first_of_casebook)

    def _invalidate_signatures(self, *, added: bool = False) -> None:
        """Any change to signed data (a record added, changed or voided, on any path) invalidates the
        signature (patients/casebook/signatures.py listens), saying which record, by whom and why."""
        participant = self.locking_participant()
        context = context_of(self)
        if (
            participant is None
            or not self.invalidates_signature
            or not may_be_signed(participant.pk)
            or context.lock_change
            or context.review_step is not None
        ):
            # Locking and review steps are not changes to the data the investigator signed.
            return
        casebook_data_changed.send(
            sender=type(self),
            record=self,
            participant=participant,
            user=context.user,
            what="added" if added else "changed",
            reason=context.stated_reason,
        )

    # Set by a batch writer (add_in_bulk) for a record it is about to insert: full_clean() then leaves the
    # check and unique constraints, and the rules that only repeat a unique constraint (check_not_recorded_yet),
    # to the database's insert, and a refused batch is validated again record by record for the messages.
    checked_on_write = False

    def full_clean(self, *args, **kwargs):
        self.take_casebook_write_turn()
        self._date_times_as_instants()
        if self.checked_on_write and self._state.adding:
            kwargs["validate_unique"] = False
            kwargs["validate_constraints"] = False
        super().full_clean(*args, **kwargs)

    def clean_fields(self, exclude=None):
        if (self.checked_on_write and self._state.adding) or self._casebook_held():
            # In a batch (an import, a migrated archive, the nightly checks), a link to a row in hand (the
            # participant found among the user's sites, an analyte read for the file, the importing user) is not
            # looked up again, a query per link and record: the write's foreign key checks that it exists.
            exclude = {*(exclude or ()), *self._links_in_hand()}
        super().clean_fields(exclude=exclude)

    def _casebook_held(self) -> bool:
        participant = self.locking_participant()
        return participant is not None and participant.pk is not None and held_turn(participant.pk)

    def _links_in_hand(self) -> list[str]:
        return [
            field.name
            for field in self._meta.concrete_fields
            if field.is_relation
            and not field.remote_field.limit_choices_to
            and field.is_cached(self)
            and getattr(self, field.name) is not None
        ]

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
        if participant is not None and participant.pk is not None and not held_turn(participant.pk):
            take_casebook_turns([participant.pk])

    def locked_for_write(self):
        """This record's row afresh, locked until the transaction ends, after its casebook's turn. Every path
        takes the casebook (the participant's row) first and a record's row after it: one order, so a void
        racing two edits of one infusion queues instead of deadlocking (issue 28, F)."""
        self.take_casebook_write_turn()
        return type(self).objects.select_for_update().get(pk=self.pk)

    def clean(self):
        super().clean()
        locked = self.casebook_lock_message()
        if locked:
            raise ValidationError(locked, code="casebook_locked")
        loaded = context_of(self).expected_version
        if loaded is not None and not self._state.adding:
            current = type(self).objects.filter(pk=self.pk).values_list("version", flat=True).first()
            if current is not None and current != loaded:
                raise ValidationError(describe_conflict(self, loaded_version=loaded))

    def locking_participant(self):
        """The participant whose casebook lock governs this record (None: not part of a casebook)."""
        return None

    def casebook_lock_message(self) -> str:
        """Why this record cannot be written now ("" when it can); the lock service itself passes."""
        if context_of(self).lock_change:
            return ""
        return casebook_lock_message(self.locking_participant())

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
        record_save(self, user=user, reason=f"Voided: {self.void_reason}")

    def check_void(self) -> None:
        """The record's own rules for voiding it (ValidationError on ``void_reason``); none by default."""


class ParticipantRecordQuerySet(ClinicalQuerySet):
    def for_user(self, user):
        """Records of the participants at the user's sites (all sites for a cross-site role)."""
        site_ids = site_ids_for(user)
        return self if site_ids is None else self.filter(participant__site_id__in=site_ids)


def participant_link(related_name: str) -> models.ForeignKey:
    """The link of a casebook record to its participant, named from the participant's side."""
    return models.ForeignKey("patients.Participant", on_delete=models.PROTECT, related_name=related_name)


class ParticipantRecord(ClinicalRecord):
    """A clinical record that belongs to one participant's casebook."""

    # Each concrete form declares ``participant = participant_link("<its records, plural>")``: the name the
    # participant reaches them by (participant.daily_observations), chosen, not derived ("endofstudys").
    participant: models.ForeignKey

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
