"""Migrating a finished trial's paper archive (issue 19): one row per person screened, in a CSV or XLSX file
imported in the participants' admin (a dry run shows every row first; one bad row and nothing is saved).

A row is what the paper file holds: the screening page, the eligibility answers (one column per criterion
code, ``yes`` or ``no``), the consent, the enrolment with the arm the investigator assigned, the end of
study, and the archive's own number for the file (``archive_id``, kept on the participant and searchable, so
a monitor can go from the casebook to the paper file). Each part goes through the service the ward's form
uses (patients/services.py), so the same rules refuse it with the same messages, on the row's column:

- screening: ``participant_screen`` (the study ID is issued as for anyone screened; an ineligible person is
  a screen failure with the reasons, as the screening log lists them);
- consent, when its columns are filled: ``consent_record``;
- enrolment, when ``enrolment_datetime`` is filled: ``participant_enrol`` with the file's arm. In a trial
  that allocates from a randomisation list the enrolment is refused (the list, not the file, allocates;
  migrating it would take a new slot), and the arm is required otherwise;
- end of study, when ``end_reason`` is filled: ``end_of_study_record``.

A participant already migrated (the same site and archive ID) is refused: the file is not loaded twice.
"""

import contextlib

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from patients import services
from patients.casebook.design import Arm, TrialDesign
from patients.casebook.exports import UtcDateTimeWidget
from patients.casebook.lock import casebooks_held
from patients.casebook.rules import refusal
from patients.casebook.sites import Site
from patients.eligibility import current_criteria
from patients.forms import ScreeningForm
from patients.import_widgets import CodeWidget, LookedUpOnceWidget, ScopedUserWidget
from patients.models import Consent, EligibilityAnswer, EndOfStudy, Participant
from patients.resources import FileImportResource
from patients.rules import check_enrolment_migratable

# The screening form's own fields: the paper screening page (the site is a column of its own).
SCREENING_FIELDS = tuple(name for name in ScreeningForm.Meta.fields if name != "site")
# Each later part's model fields and the file's columns for them.
CONSENT_COLUMNS = {
    "consent_datetime": "consent_datetime",
    "form_version": "consent_form_version",
    "given_by": "consent_given_by",
    "representative_relationship": "consent_representative_relationship",
    "obtained_by": "consent_obtained_by",
}
ENROLMENT_COLUMNS = {"enrolment_datetime": "enrolment_datetime", "arm": "arm"}
END_COLUMNS = {
    "end_reason": "end_reason",
    "end_date": "end_date",
    "icu_admission_date": "icu_admission_date",
    "icu_discharge_date": "icu_discharge_date",
    "details": "end_details",
}


class ScopedSiteWidget(widgets.ForeignKeyWidget):
    """Site code -> one of the importing user's sites; one message for any other code."""

    def __init__(self, **kwargs):
        super().__init__(Site, field="code", **kwargs)
        self.user = None

    def get_queryset(self, value, row, *args, **kwargs):
        return Site.objects.for_user(self.user) if self.user is not None else Site.objects.none()

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Site.DoesNotExist:
            raise ValueError(f"{value!r} is not one of your sites.") from None


def _column(name, model, field_name=None, widget=None):
    model_field = model._meta.get_field(field_name or name)
    if widget is None:
        if model_field.choices:
            widget = CodeWidget(model_field)
        elif model_field.get_internal_type() == "DateTimeField":
            widget = UtcDateTimeWidget()
        elif model_field.get_internal_type() == "DateField":
            widget = widgets.DateWidget()
        else:
            widget = widgets.CharWidget()
    return fields.Field(column_name=name, widget=widget)  # no attribute: read by save_instance


def _criterion_columns(criteria) -> dict[str, fields.Field]:
    """One column per eligibility criterion of the design (issue 29, 1: data, so built per import)."""
    answer = EligibilityAnswer._meta.get_field("answer")
    return {c.code: fields.Field(column_name=c.code, widget=CodeWidget(answer)) for c in criteria}


def _later_columns() -> dict[str, fields.Field]:
    columns = {}
    for field_name, column in CONSENT_COLUMNS.items():
        widget = ScopedUserWidget() if field_name == "obtained_by" else None
        columns[column] = _column(column, Consent, field_name, widget)
    columns["enrolment_datetime"] = fields.Field(column_name="enrolment_datetime", widget=UtcDateTimeWidget())
    columns["arm"] = fields.Field(column_name="arm", widget=LookedUpOnceWidget(Arm, field="code"))
    for field_name, column in END_COLUMNS.items():
        columns[column] = _column(column, EndOfStudy, field_name)
    return columns


LATER_COLUMNS = _later_columns()


class _ArchiveRows(FileImportResource):
    """ArchiveMigrationResource's rows (the class itself is built below); a column per eligibility criterion
    of the design is added when the resource is made."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = current_criteria()
        criterion_columns = _criterion_columns(self.criteria)
        self.fields.update(criterion_columns)
        self.later_columns = {**criterion_columns, **LATER_COLUMNS}

    def get_import_order(self):
        fixed = ("archive_id", "site", *SCREENING_FIELDS)
        return (*fixed, *(c.code for c in self.criteria), *LATER_COLUMNS)

    def get_instance(self, instance_loader, row):
        return None

    def import_instance(self, instance, row, **kwargs):
        """The participant's columns onto the instance, the later parts' read and kept for save_instance; every
        unreadable value of the row reported at once, on its column."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        later = {}
        for column in self.later_columns:
            try:
                later[column] = self.fields[column].clean(row)
            except ValueError as error:
                errors.setdefault(column, []).append(ValidationError(str(error), code="invalid"))
        instance._archive_parts = later
        if not instance.archive_id:
            errors.setdefault("archive_id", []).append(
                ValidationError("The archive's number of this file is required.", code="required")
            )
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        later = instance._archive_parts
        answers = {c.code: later[c.code] for c in self.criteria if later[c.code]}
        participant = services.participant_screen(
            site=instance.site,
            user=self.user,
            answers=answers,
            archive_id=instance.archive_id,
            **{name: getattr(instance, name) for name in SCREENING_FIELDS},
        )
        # The new casebook's turn and lock, taken and read once for the row's records, not once per record.
        with casebooks_held([participant.pk]):
            participant = self._later_parts(participant, later)
        # The row's result (and the admin's log of the import) names the participant the services saved.
        participant.refresh_from_db()
        instance.__dict__.update({key: value for key, value in participant.__dict__.items() if key != "_state"})
        instance._state.adding = False

    def _later_parts(self, participant, later):
        if any(later[column] not in (None, "") for column in CONSENT_COLUMNS.values()):
            with _on_columns(CONSENT_COLUMNS, "Consent"):
                if later["consent_obtained_by"] is None:
                    # The ward's form records whoever enters it; a migrated consent was obtained by someone else.
                    raise refusal("obtained_by", "Give the username of the investigator who obtained it.", "required")
                services.consent_record(
                    participant=participant,
                    user=self.user,
                    obtained_by=later["consent_obtained_by"],
                    consent_datetime=later["consent_datetime"],
                    form_version=later["consent_form_version"] or "",
                    given_by=later["consent_given_by"] or "",
                    representative_relationship=later["consent_representative_relationship"] or "",
                )
        if later["enrolment_datetime"] or later["arm"]:
            with _on_columns(ENROLMENT_COLUMNS, "Enrolment"):
                check_enrolment_migratable(randomised=TrialDesign.current().randomised, arm=later["arm"])
                participant = services.participant_enrol(
                    participant=participant,
                    user=self.user,
                    requested_arm=later["arm"],
                    enrolment_datetime=later["enrolment_datetime"],
                )
        if later["end_reason"] or later["end_date"]:
            with _on_columns(END_COLUMNS, "End of study"):
                values = {name: later[column] for name, column in END_COLUMNS.items()}
                values["details"] = values["details"] or ""
                services.end_of_study_record(end_of_study=EndOfStudy(participant=participant, **values), user=self.user)
        return participant


ArchiveMigrationResource = type(
    "ArchiveMigrationResource",
    (_ArchiveRows,),
    {
        "__module__": __name__,
        "__doc__": "A paper archive's participants, one row per person screened (see the module's docstring).",
        "site": fields.Field(attribute="site", column_name="site", widget=ScopedSiteWidget()),
        **LATER_COLUMNS,
        "Meta": type(
            "Meta",
            (FileImportResource.Meta,),
            {
                "model": Participant,
                # Only new participants: a row never finds one to update (get_instance), and the archive ID's
                # uniqueness per site refuses a file loaded twice.
                "import_id_fields": ("site", "archive_id"),
                "fields": ("archive_id", "site", *SCREENING_FIELDS, *LATER_COLUMNS),
                "skip_unchanged": False,
            },
        ),
    },
)


@contextlib.contextmanager
def _on_columns(columns: dict[str, str], part: str):
    """A later part's refusal on the file's column for the field it concerns; one about the part as a whole
    (or another field) on the row, naming the part."""
    try:
        yield
    except ValidationError as error:
        mapped = {}
        for field, errors in error.update_error_dict({}).items():
            column = columns.get(field)
            for each in errors:
                message = " ".join(each.messages)
                if column is None:
                    mapped.setdefault("__all__", []).append(ValidationError(f"{part}: {message}", code=each.code))
                else:
                    mapped.setdefault(column, []).append(ValidationError(message, code=each.code))
        raise ValidationError(mapped) from error
