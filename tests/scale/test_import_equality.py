"""Imports written a batch at a time (issue 19) store what saving each row stored: a generated trial's held-back
daily observations and lab results, imported through the batched resources and through a row-at-a-time copy of
them (the resources as they were), give the same records, the same audit trail (user, reason, kind of change)
and the same refusals, row by row."""

import datetime

import pytest
from django.db import transaction
from import_export import fields, widgets

from outcomes.models import Analyte, DailyObservation, LabResult
from outcomes.resources import DailyObservationResource, LabResultResource
from patients.casebook.exports import UtcDateTimeWidget
from patients.resources import ClinicalRecordResource
from tests.factories import UserFactory
from tests.world import dataset_for, generate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


class ObservationsRowByRow(ClinicalRecordResource):
    class Meta(ClinicalRecordResource.Meta):
        model = DailyObservation
        import_id_fields = DailyObservationResource._meta.import_id_fields
        fields = DailyObservationResource._meta.fields


class LabsRowByRow(ClinicalRecordResource):
    analyte = fields.Field(
        attribute="analyte", column_name="analyte", widget=widgets.ForeignKeyWidget(Analyte, field="code")
    )
    sample_datetime = fields.Field(
        attribute="sample_datetime", column_name="sample_datetime", widget=UtcDateTimeWidget()
    )

    class Meta(ClinicalRecordResource.Meta):
        model = LabResult
        import_id_fields = LabResultResource._meta.import_id_fields
        fields = LabResultResource._meta.fields


# What differs between two runs however they write: ids, clocks.
UNSTABLE = {"id", "history_id", "history_date", "created_datetime", "modified_datetime", "review_changed_datetime"}


def stored(model) -> tuple[list, list]:
    def rows(queryset):
        return sorted(
            tuple((key, value) for key, value in sorted(row.items()) if key not in UNSTABLE)
            for row in queryset.values()
        )

    return rows(model.objects.all()), rows(model.history.all())


def outcome(resource_class, user, data) -> tuple:
    """Import ``data`` for real, read what is stored and what the result says, then roll it all back."""
    with transaction.atomic():
        result = resource_class(user=user).import_data(data, dry_run=False, file_name="ward-log.csv")
        refused = [(row.number, row.error_dict) for row in result.invalid_rows]
        seen = (
            dict(result.totals),
            refused,
            [str(e.error) for e in result.base_errors],
            stored(resource_class._meta.model),
        )
        transaction.set_rollback(True)
    return seen


@pytest.fixture
def world():
    return generate(40, sites=2, site_prefix="I", withhold=(DailyObservation, LabResult))


@pytest.mark.parametrize(
    "batched, row_by_row",
    [(DailyObservationResource, ObservationsRowByRow), (LabResultResource, LabsRowByRow)],
    ids=["observations", "labs"],
)
def test_batched_and_row_by_row_imports_store_the_same(world, batched, row_by_row, monkeypatch):
    # Batches of 50: a file of several hundred rows spans many, and rows of one casebook straddle them.
    monkeypatch.setattr(batched._meta, "batch_size", 50)
    coordinator = UserFactory(username="coord_i", role="Coordinator", sites=world.sites)
    model = batched._meta.model
    data = dataset_for(batched(user=coordinator), world.withheld[model])
    assert len(data) > 150

    good = outcome(batched, coordinator, data)
    assert good == outcome(row_by_row, coordinator, data)
    totals, refused, errors, (records, history) = good
    assert totals["new"] == len(data) and not refused and not errors
    assert len(records) == len(history) == len(data)
    assert {dict(row)["history_change_reason"] for row in history} == {"Imported from ward-log.csv"}


def test_the_same_rows_are_refused_with_the_same_messages(world):
    coordinator = UserFactory(username="coord_i", role="Coordinator", sites=world.sites)
    data = dataset_for(DailyObservationResource(user=coordinator), world.withheld[DailyObservation])
    date_column = data.headers.index("observation_date")
    # Row 3 moved 400 days on (after its discharge, or into the future: the rules see which), row 7 with an
    # impossible oxygen saturation.
    rows = [list(row) for row in data]
    rows[2][date_column] = (
        datetime.date.fromisoformat(rows[2][date_column]) + datetime.timedelta(days=400)
    ).isoformat()
    rows[6][data.headers.index("spo2_percent")] = "30"
    data = data.__class__(*rows, headers=data.headers)

    batched = outcome(DailyObservationResource, coordinator, data)
    assert batched == outcome(ObservationsRowByRow, coordinator, data)
    _, refused, _, (records, _) = batched
    assert [number for number, _ in refused] == [3, 7]
    assert records == []
