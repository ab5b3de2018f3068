"""Import of infusion records (e.g. transcribed from the paper CRF), keyed by study ID + sequence number."""

from django.contrib.auth import get_user_model
from import_export import fields, widgets

from dosing.models import Infusion
from patients.resources import ClinicalRecordResource


class InfusionResource(ClinicalRecordResource):
    administered_by = fields.Field(
        attribute="administered_by",
        column_name="administered_by",
        widget=widgets.ForeignKeyWidget(get_user_model(), field="username"),
    )

    class Meta(ClinicalRecordResource.Meta):
        model = Infusion
        import_id_fields = ("participant", "sequence_number")
        fields = (
            "participant",
            "sequence_number",
            "start_datetime",
            "end_datetime",
            "cells_administered_millions",
            "volume_ml",
            "lot_number",
            "viability_percent",
            "route",
            "premedication",
            "administered_by",
            "interrupted",
            "interruption_reason",
            "ecg",
            "spo2_lowest",
            "spo2_highest",
            "temperature_before_c",
            "temperature_after_c",
            "heart_rate_before",
            "heart_rate_after",
            "systolic_before",
            "diastolic_before",
            "systolic_after",
            "diastolic_after",
            "infusion_associated_event",
            "deviation_reason",
        )
