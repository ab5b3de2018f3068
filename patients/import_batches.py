"""Imports of many new records (a lab system's results, a transcribed ward log) written a batch at a time.

One save per row took a 10,000-row lab file five minutes a pass (issue 19): every row's rules, a savepoint,
its insert, its history row, a query per check constraint and for each duplicate check. Here each row still
goes through its model's full_clean() (every rule in clean(), the site scoping, the casebook locks), but:

- the check and unique constraints, and the rules that only repeat a unique constraint, are checked by the
  database when the batch is written (``ClinicalRecord.checked_on_write``, ``add_in_bulk``): one insert for
  the batch's records and one for their history rows;
- when the database refuses a batch, nothing of it is written (its savepoint), and its rows are validated
  and saved one by one, as a row-at-a-time import would: the refused rows get the same messages, on the same
  row numbers, and the file is then rolled back as any file with a bad row is;
- what every row would read is read once: the participants, the records the file may update, the casebooks'
  turns and locks (ClinicalRecordResource), the participants' stay and follow-up ends, and coded look-ups
  (``patients.import_widgets.LookedUpOnceWidget``).

A row that updates an existing record is saved on its own, in its own savepoint, as before: an update
carries a version check and a reason.
"""

import contextlib

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from import_export.results import RowResult

from patients.models import Participant
from patients.resources import ClinicalRecordResource


class BatchedRecordResource(ClinicalRecordResource):
    """The import resource of a model whose new records may be added in bulk (``adds_in_bulk``)."""

    class Meta(ClinicalRecordResource.Meta):
        use_bulk = True
        # Large enough that the per-batch queries vanish per row; small enough that a refused batch's row by
        # row retry stays short, and memory stays flat in the size of the file.
        batch_size = 500

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not self._meta.model.adds_in_bulk:
            raise TypeError(f"{self._meta.model.__name__} does not declare adds_in_bulk.")
        self._pending = []  # (record, row number, row, row result) of the batch not yet written

    @contextlib.contextmanager
    def _looked_up_once(self, dataset):
        with super()._looked_up_once(dataset):
            participants = list(self.fields["participant"].widget.found.values())
            # Records of this kind do not end a stay: read the ends once for the file.
            Participant.remember_end_dates(participants)
            try:
                yield
            finally:
                Participant.forget_end_dates(participants)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self._pending and self._pending[-1][1] == kwargs.get("row_number") and self._pending[-1][3] is None:
            self._pending[-1] = (*self._pending[-1][:3], row_result)
        return row_result

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # A new record's constraints are checked by the batch's insert (see the module's docstring).
        instance.checked_on_write = instance._state.adding
        super().validate_instance(instance, import_validation_errors, validate_unique=validate_unique)

    def save_instance(self, instance, is_create, row, **kwargs):
        if not is_create:
            # An update is written at once, in its own savepoint: a refusal is its row's alone.
            self.before_save_instance(instance, row, **kwargs)
            with transaction.atomic():
                self.do_instance_save(instance, is_create)
            self.after_save_instance(instance, row, **kwargs)
            return
        super().save_instance(instance, is_create, row, **kwargs)  # to self.create_instances
        self._pending.append((instance, kwargs.get("row_number"), row, None))

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Write the batch (import-export calls this every ``batch_size`` new rows and at the end)."""
        pending, self._pending = self._pending, []
        self.create_instances.clear()
        if not pending:
            return
        records = [record for record, *_ in pending]
        try:
            with transaction.atomic():
                self._meta.model.add_in_bulk(records)
        except DatabaseError:  # a constraint (IntegrityError), or a value the database cannot take (DataError)
            self._one_by_one(pending, result)
            return
        except Exception as error:  # as import-export's own bulk_create: the file's error, rolled back
            self.handle_import_error(result, error, raise_errors)
            return
        for record, _number, _row, row_result in pending:
            if row_result is not None:
                row_result.object_id = record.pk

    def _one_by_one(self, pending, result) -> None:
        """The database refused the batch: validate and save its rows one at a time, with every check in
        Python, so the refused rows are named with their messages (the file is then rolled back)."""
        for record, number, row, row_result in pending:
            record.checked_on_write = False
            try:
                with transaction.atomic():
                    record.full_clean()
                    record.save()
            except ValidationError as error:
                self._refuse(result, row_result, number, row, error)
            except DatabaseError as error:
                # Not foreseen by a rule: still the row's, still nothing saved.
                self._refuse(result, row_result, number, row, ValidationError(str(error), code="refused"))
            else:
                if row_result is not None:
                    row_result.object_id = record.pk

    @staticmethod
    def _refuse(result, row_result, number, row, error) -> None:
        if row_result is not None:
            result.totals[row_result.import_type] -= 1
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
        result.append_invalid_row(number, row, error)
