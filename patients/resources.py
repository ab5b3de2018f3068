"""What every import resource of clinical data shares (django-import-export).

- ``clean_model_instances = True``: each row goes through ``full_clean()``, so the model-layer rules hold;
- ``use_transactions = True`` and no bulk mode: a file with any bad row saves nothing;
- participants are looked up by study ID among the importing user's sites only;
- every saved row carries the importing user and a reason in the audit trail;
- a new case report form record arrives submitted (ready for verification); an update of a verified
  record sends it back to submitted, and a locked record refuses the row (the model decides both).
"""

import contextlib
import copy
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.module_loading import import_string
from import_export import fields, resources, widgets
from import_export.results import RowResult

from patients.casebook.choices import ReviewStatus
from patients.casebook.exports import UtcDateTimeWidget, export_fields
from patients.casebook.lock import casebooks_held
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.saving import prepare_save
from patients.casebook.spreadsheet import spreadsheet_unescape
from patients.import_preview import PreviewResult, RowDiff
from patients.import_widgets import CodeWidget, ScopedParticipantWidget
from patients.models import Participant

logger = logging.getLogger(__name__)


class _TooManyRefused(Exception):
    """An import has refused more rows than CRF_IMPORT_MAX_REFUSED_ROWS: it stops (FileImportResource)."""

    def __init__(self, row_number: int):
        super().__init__(row_number)
        self.row_number = row_number


class FileImportResource(resources.ModelResource):
    """What every import of a file shares: the importing user, coded fields read by code, date-times by the
    forms' rule, the file's columns checked before any row, all or nothing, the row diffs of the preview."""

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._blank_values, self._diff_html = None, {}
        for field in self.fields.values():
            if hasattr(field.widget, "user"):  # a widget that looks up among the importing user's sites
                field.widget.user = user

    class Meta:
        clean_model_instances = True
        use_transactions = True
        use_bulk = False
        skip_unchanged = True
        report_skipped = True

    def get_diff_class(self):
        return RowDiff

    def handle_import_error(self, result, error, raise_errors=False):
        # The page names no exception it was not written for (templates/admin/import_export/import.html):
        # the traceback goes to the server's log, for the administrator.
        if not isinstance(error, ValidationError):
            logger.error("Import of %s by %s stopped", self._meta.model.__name__, self.user, exc_info=error)
        super().handle_import_error(result, error, raise_errors)

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        """Every coded field reads codes (an unknown one refused by name), every date-time the forms' rule."""
        field = super().field_from_django_field(field_name, django_field, readonly)
        if django_field.choices:
            field.widget = CodeWidget(django_field)
        elif isinstance(django_field, models.DateTimeField):
            field.widget = UtcDateTimeWidget()
        elif isinstance(django_field, models.CharField | models.TextField) and not django_field.null:
            # An empty cell of a text column is an empty text: an XLSX reads it as None, which the database
            # refused on a NOT NULL column (the admin's own export did not import back, issue 28, 2).
            field.widget = widgets.CharWidget(allow_blank=True)
        return field

    def get_result_class(self):
        # The result is kept so that an import stopped early (_TooManyRefused) still reports its rows.
        def keep():
            self._result = PreviewResult(limit=getattr(self, "_preview_limit", None))
            return self._result

        return keep

    def import_row(self, row, instance_loader, **kwargs):
        limit = getattr(self, "_preview_limit", None)
        if limit is not None and self._result is not None and self._result.rows_shown >= limit:
            # Past the rows the preview shows, no row's HTML diff is drawn (the costliest part of a row's
            # preview); what the row would do (new, update, skip) is still worked out and counted.
            self._meta.skip_html_diff = True
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors or row_result.validation_error is not None:
            self._refused_rows = getattr(self, "_refused_rows", 0) + 1
            if self._refused_rows > settings.CRF_IMPORT_MAX_REFUSED_ROWS:
                raise _TooManyRefused(kwargs.get("row_number") or 0)
        for error in row_result.errors:
            # The page says the row could not be saved (templates/admin/import_export/import.html); the
            # exception, which may be the database's own text, is for the administrator's log.
            logger.error(
                "Import of %s, row %s", self._meta.model.__name__, kwargs.get("row_number"), exc_info=error.error
            )
        return row_result

    def before_import(self, dataset, **kwargs):
        """Refuse a file whose shape is wrong before any row is read: unknown columns (a misspelt header
        would silently drop its data), missing columns (an update would blank them), and two rows for the
        same record (the second would silently overwrite the first). Nothing is saved then."""
        super().before_import(dataset, **kwargs)
        headers = [str(h).strip() for h in dataset.headers or []]
        expected = [field.column_name for field in self.get_import_fields()]
        # An export of the same model imports back: its extra columns (labels, audit) are known too.
        known = set(expected) | set(export_fields(self._meta.model)[0])
        unknown = [h for h in headers if h not in known]
        missing = [c for c in expected if c not in headers]
        problems = []
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        if missing:
            problems.append(f"missing columns: {', '.join(missing)}")
        if problems:
            raise ValidationError(
                f"The file's columns are not those of a {self._meta.model._meta.verbose_name} import "
                f"({'; '.join(problems)}). Expected: {', '.join(expected)}. Nothing was imported.",
                code="columns",
            )
        keys = [self.fields[name].column_name for name in self._meta.import_id_fields]
        seen = {}
        for number, row in enumerate(dataset.dict, start=1):
            if is_voided_row(row):
                continue  # a voided record beside its re-entry: one key, two records (see import_row)
            key = tuple(str(row.get(column, "")).strip() for column in keys)
            if key in seen:
                raise ValidationError(
                    f"Rows {seen[key]} and {number} are the same record ({', '.join(keys)}: {', '.join(key)}). "
                    "Keep one of them; nothing was imported.",
                    code="duplicate_rows",
                )
            seen[key] = number

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        # A value our export escaped ('=...) is read back as it was entered (patients/casebook/spreadsheet.py).
        for column, value in row.items():
            row[column] = spreadsheet_unescape(value)

    def import_data(self, dataset, **kwargs):
        # All or nothing also when some rows are only invalid (not failing): one bad row, nothing saved.
        kwargs.setdefault("rollback_on_validation_errors", True)
        kwargs.setdefault("use_transactions", True)
        self._meta = copy.copy(self._meta)  # this import's own: import_row may change skip_html_diff
        if not kwargs.get("dry_run"):
            # The rows' HTML diffs are what the admin shows of a dry run; nobody reads them of a confirmed import.
            self._meta.skip_html_diff = True
            self._preview_limit = None
        else:
            # A dry run is the admin's preview: it lists this many rows and counts the rest (issue 28, H: a
            # 30,000-row preview was a 112 MB page from a 1.27 GB worker).
            self._preview_limit = settings.CRF_IMPORT_PREVIEW_ROWS
        self._refused_rows, self._result = 0, None
        try:
            with transaction.atomic(), self._looked_up_once(dataset):
                return super().import_data(dataset, **kwargs)
        except _TooManyRefused as stop:
            # Everything is rolled back; the rows refused so far are listed, the rest is counted, not checked.
            # (Collecting every error of a 400,000-row file grew a worker past 3 GB, issue 28, H.)
            limit, unchecked = settings.CRF_IMPORT_MAX_REFUSED_ROWS, len(dataset) - stop.row_number
            self._result.append_base_error(
                self.get_error_result_class()(
                    ValidationError(
                        f"More than {limit} rows are refused, so the import stopped at row {stop.row_number:,}: "
                        f"the {unchecked:,} rows after it were not checked. Correct the rows listed and import the "
                        "file again. Nothing was imported.",
                        code="too_many_refused_rows",
                    )
                )
            )
            return self._result

    @contextlib.contextmanager
    def _looked_up_once(self, dataset):
        """What every row of the file would look up, looked up once for the file (none here)."""
        yield


def is_voided_row(row) -> bool:
    """Whether a file's row is a voided record (the admin's export has a ``voided`` column: 1 or 0)."""
    return bool(widgets.BooleanWidget().clean(spreadsheet_unescape(row.get("voided"))))


class ClinicalRecordResource(FileImportResource):
    """Records of participants' casebooks, keyed by study ID among the importing user's sites.

    A row marked voided (an export holds voided records, ``voided`` = 1) is never data: it is matched to the
    voided record it came from and skipped, and refused (``voided_row_unmatched``) when the casebook holds
    no such voided record. An import neither brings a voided record back nor voids one (issue 28, 1)."""

    participant = fields.Field(attribute="participant", column_name="study_id", widget=ScopedParticipantWidget())

    @contextlib.contextmanager
    def _looked_up_once(self, dataset):
        """What every row would look up, looked up once for the file (issue 19): its participants among the
        user's sites, the records it may update, and its casebooks' write turns and locks (casebooks_held,
        until the import's transaction ends). The rules the rows then go through are the same."""
        widget = self.fields["participant"].widget
        column = self.fields["participant"].column_name
        headers = [str(h).strip() for h in dataset.headers or []]
        if column not in headers and "archive_id" in headers:
            self._archive_ids_as_study_ids(dataset, headers.index("archive_id"), column)
            headers = [str(h).strip() for h in dataset.headers or []]
        study_ids = set()
        if column in headers:
            index = headers.index(column)
            study_ids = {spreadsheet_unescape(row[index]) for row in dataset}
            study_ids = {
                value if isinstance(value, str) else str(value) for value in study_ids if value not in (None, "")
            }
        scoped = Participant.objects.active().for_user(self.user) if self.user else Participant.objects.none()
        widget.found = {p.study_id: p for p in scoped.filter(study_id__in=study_ids)}
        self._existing = self._existing_records(widget.found.values())
        try:
            with casebooks_held(p.pk for p in widget.found.values()):
                yield
        finally:
            widget.found, self._existing = None, None

    def _archive_ids_as_study_ids(self, dataset, index: int, column: str) -> None:
        """A file of a migrated paper archive (patients/archive_migration.py) may name its participants by
        archive ID, in a column ``archive_id`` instead of ``study_id``: each becomes the study ID of the one
        participant at the user's sites with that archive ID. One not found (or found at two of the user's
        sites) is left as it is, and its row is refused as naming no participant."""
        rows = [list(row) for row in dataset]
        values = {str(spreadsheet_unescape(row[index]) or "").strip() for row in rows}
        scoped = Participant.objects.active().for_user(self.user) if self.user else Participant.objects.none()
        found = {}
        for archive_id, study_id in scoped.filter(archive_id__in=values - {""}).values_list("archive_id", "study_id"):
            found.setdefault(archive_id, []).append(study_id)
        for row in rows:
            matches = found.get(str(spreadsheet_unescape(row[index]) or "").strip(), [])
            if len(matches) == 1:
                row[index] = matches[0]
        headers = list(dataset.headers)
        headers[index] = column
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            dataset.append(row)

    _existing = None

    def _key_attributes(self) -> list[str]:
        """The import key's model attributes, a foreign key by its id."""
        names = []
        for key in self.get_import_id_fields():
            attribute = self.fields[key].attribute
            field = self._meta.model._meta.get_field(attribute)
            names.append(field.attname)
        return names

    def _existing_records(self, participants) -> dict:
        records = self.get_queryset().filter(participant__in=list(participants))
        names = self._key_attributes()
        return {tuple(getattr(record, name) for name in names): record for record in records}

    def get_instance(self, instance_loader, row):
        if self._existing is None:
            return super().get_instance(instance_loader, row)
        # The row's key cleaned as the instance loader cleans it, found among the records read for the file.
        values = [self.fields[key].clean(row) for key in self.get_import_id_fields()]
        return self._existing.get(tuple(v.pk if isinstance(v, models.Model) else v for v in values))

    def import_row(self, row, instance_loader, **kwargs):
        if not is_voided_row(row):
            return super().import_row(row, instance_loader, **kwargs)
        row_result = self.get_row_result_class()()
        row_result.row_values = row
        try:
            self.before_import_row(row, **kwargs)
            record = self._voided_record(row)
        except (ValidationError, ValueError) as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = (
                exc if isinstance(exc, ValidationError) else ValidationError(str(exc), code="invalid_key")
            )
            return row_result
        row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        row_result.add_instance_info(record)
        return row_result

    def _voided_record(self, row):
        """The voided record at the user's sites that a row marked voided came from, or a refusal."""
        names, values = self._key_attributes(), [self.fields[key].clean(row) for key in self.get_import_id_fields()]
        key = {
            name: value.pk if isinstance(value, models.Model) else value
            for name, value in zip(names, values, strict=True)
        }
        scoped = self._meta.model.objects.for_user(self.user) if self.user else self._meta.model.objects.none()
        record = scoped.filter(voided=True, **key).order_by("-voided_datetime").first()
        if record is None:
            raise ValidationError(
                {
                    "voided": ValidationError(
                        "This row is marked voided, but the casebook holds no such voided record. An import "
                        "neither voids a record nor brings one back: void it in the casebook, or clear the "
                        "voided column of a row that is data.",
                        code="voided_row_unmatched",
                    )
                }
            )
        return record

    def get_queryset(self):
        # Existing rows to update: the user's sites only, never voided ones.
        return self._meta.model.objects.active().for_user(self.user) if self.user else self._meta.model.objects.none()

    def before_save_instance(self, instance, row, **kwargs):
        if instance._state.adding and isinstance(instance, CaseReportForm):
            # A file from a lab system or a ward log is entered data, complete: it goes straight to review.
            instance.review_status = ReviewStatus.SUBMITTED
        # django-import-export writes the row itself (instance.save()) after this: who and why go with it.
        prepare_save(instance, user=self.user, reason=f"Imported from {kwargs.get('file_name') or 'a file'}")


def resource_for(crf):
    """The import resource of a registered case report form: its own, or one built from its model."""
    if crf.import_resource:
        return import_string(crf.import_resource)
    # The ward form's fields, keyed by study ID and the form's natural key.
    entered = tuple(crf.form.Meta.fields) if crf.form else ()
    attrs = {
        "model": crf.model,
        "import_id_fields": ("participant", *crf.natural_key),
        "fields": ("participant", *entered),
    }
    meta = type("Meta", (ClinicalRecordResource.Meta,), attrs)
    return type(f"{crf.model.__name__}Resource", (ClinicalRecordResource,), {"Meta": meta})
