"""Imports a site may bulk-load: daily observations transcribed from the paper CRF (keyed by study ID +
observation date) and lab results from a lab system (study ID + analyte code + sample date-time). The
shared base (patients/resources.py) gives full model validation, all-or-nothing files, site scoping and the
audit trail; the casebook and record locks hold because the model refuses the row. New records are written
a batch at a time (patients/import_batches.py)."""

from import_export import fields

from outcomes.forms import DailyObservationForm
from outcomes.models import Analyte, DailyObservation, LabResult
from patients.casebook.exports import UtcDateTimeWidget
from patients.import_batches import BatchedRecordResource
from patients.import_widgets import LookedUpOnceWidget


class DailyObservationResource(BatchedRecordResource):
    class Meta(BatchedRecordResource.Meta):
        model = DailyObservation
        import_id_fields = ("participant", "observation_date")
        # The same fields as the ward's form, in its order.
        fields = ("participant", *DailyObservationForm.Meta.fields)


class LabResultResource(BatchedRecordResource):
    analyte = fields.Field(attribute="analyte", column_name="analyte", widget=LookedUpOnceWidget(Analyte, field="code"))
    sample_datetime = fields.Field(
        attribute="sample_datetime", column_name="sample_datetime", widget=UtcDateTimeWidget()
    )

    class Meta(BatchedRecordResource.Meta):
        model = LabResult
        import_id_fields = ("participant", "analyte", "sample_datetime")
        fields = ("participant", "analyte", "sample_datetime", "value", "detection_limit", "comment")
