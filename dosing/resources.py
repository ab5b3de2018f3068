"""Import of infusion records (e.g. transcribed from the paper CRF), keyed by study ID + sequence number."""

from import_export import fields

from dosing.models import INFUSION_ENTRY_FIELDS, Infusion
from patients.import_widgets import ScopedUserWidget
from patients.resources import ClinicalRecordResource


class InfusionResource(ClinicalRecordResource):
    administered_by = fields.Field(
        attribute="administered_by",
        column_name="administered_by",
        widget=ScopedUserWidget(),
    )

    class Meta(ClinicalRecordResource.Meta):
        model = Infusion
        import_id_fields = ("participant", "sequence_number")
        fields = ("participant", *INFUSION_ENTRY_FIELDS, "administered_by")
