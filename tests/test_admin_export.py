"""Admin export of every clinical model (CSV, XLSX) and bulk import of observations and labs: stable coded
columns with study IDs, UTC date-times, nothing identifying; a round trip reproduces the data; a bad file
is refused whole with row-level messages; permissions, scoping and locks hold."""

import csv
import datetime
import io

import pytest
import tablib
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from outcomes.models import DailyObservation, LabResult
from outcomes.resources import DailyObservationResource, LabResultResource
from patients.admin_base.transfer import ClinicalExportMixin
from patients.casebook import services as casebook_services
from patients.casebook.exports import export_resource_for
from patients.models import Participant
from patients.roles import CLINICAL_APPS
from tests.factories import lab_values, observation_values, record, treated_participant

pytestmark = pytest.mark.django_db
# These tests are about what a lock does, not about verification: they lock with records unverified.
UNVERIFIED = "Test casebook: records not verified"
ENTERED_OBSERVATION = [
    f.name for f in DailyObservation._meta.concrete_fields if f.editable and not f.is_relation and not f.primary_key
]


def clinical_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in CLINICAL_APPS and isinstance(model_admin, ClinicalExportMixin)
    ]


def export_csv(model, queryset) -> list[dict]:
    resource = export_resource_for(model)()
    data = resource.export(queryset=queryset.select_related(*resource.related_paths))
    return list(csv.DictReader(io.StringIO(data.csv)))


def days(participant, clinician, n, start=0):
    for day in range(start, start + n):
        on = participant.day0_date + datetime.timedelta(days=day)
        record(DailyObservation, participant, observation_values(participant, on=on), user=clinician)


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a, initials="ZWL")


def test_every_clinical_model_is_exported_by_the_export_role_only(client, coordinator, monitor):
    admins = clinical_admins()
    exported = {model._meta.label_lower for model, _ in admins}
    assert {"patients.participant", "dosing.infusion", "outcomes.dailyobservation", "outcomes.labresult"} <= exported
    assert len(admins) >= 14
    for model, _ in admins:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        client.force_login(coordinator)
        assert client.get(url).status_code == 200, model
        client.force_login(monitor)
        assert client.get(url).status_code == 403, model


def test_columns_are_stable_coded_and_identify_nobody(participant, clinician):
    days(participant, clinician, 1)
    rows = export_csv(Participant, Participant.objects.all())
    assert "initials" not in rows[0] and "date_of_birth" not in rows[0] and "id" not in rows[0]
    assert "ZWL" not in str(rows)
    assert list(rows[0])[0] == "study_id" and rows[0]["study_id"] == participant.study_id
    assert (rows[0]["sex"], rows[0]["sex_label"]) == (participant.sex, participant.get_sex_display())
    assert rows[0]["enrolment_datetime"].endswith("Z") and rows[0]["casebook_locked"] == "0"
    observation = export_csv(DailyObservation, DailyObservation.objects.all())[0]
    assert observation["study_id"] == participant.study_id and observation["oxygen_support_label"] == "Room air"
    assert observation["review_status"] == "draft" and observation["observation_date"] == str(participant.day0_date)


def test_xlsx_export_works(participant, clinician):
    days(participant, clinician, 2)
    resource = export_resource_for(DailyObservation)()
    data = resource.export(queryset=DailyObservation.objects.all())
    assert XLSX().export_data(data)[:2] == b"PK"  # a zip container, as xlsx is


def test_export_query_count_does_not_grow_with_rows(participant, clinician, coordinator, site_a):
    days(participant, clinician, 2)

    def count():
        with CaptureQueriesContext(connection) as queries:
            export_csv(DailyObservation, DailyObservation.objects.all())
        return len(queries)

    few = count()
    other = treated_participant(user=coordinator, site=site_a)
    days(other, clinician, 8)
    assert count() == few


def test_round_trip_export_then_import_into_empty_tables_reproduces_the_data(participant, clinician, coordinator):
    days(participant, clinician, 3)
    for analyte in ("il6", "crp", "igm"):
        record(LabResult, participant, lab_values(participant, analyte=analyte), user=clinician)
    fields = ["participant__study_id", *ENTERED_OBSERVATION]
    before_obs = list(DailyObservation.objects.order_by("observation_date").values_list(*fields))
    lab_fields = ["participant__study_id", "analyte__code", "sample_datetime", "value", "detection_limit", "comment"]
    before_labs = list(LabResult.objects.order_by("analyte__code").values_list(*lab_fields))
    observations_file = tablib.Dataset().load(
        export_resource_for(DailyObservation)().export(queryset=DailyObservation.objects.all()).csv, format="csv"
    )
    labs_file = tablib.Dataset().load(
        export_resource_for(LabResult)().export(queryset=LabResult.objects.all()).csv, format="csv"
    )
    with connection.cursor() as cursor:
        # Emptied behind the model's back (clinical records refuse deletion): the "empty database".
        cursor.execute("DELETE FROM outcomes_dailyobservation")
        cursor.execute("DELETE FROM outcomes_labresult")
    for resource, dataset in ((DailyObservationResource, observations_file), (LabResultResource, labs_file)):
        result = resource(user=coordinator).import_data(dataset, dry_run=False, use_transactions=True)
        assert not result.has_errors() and not result.has_validation_errors()
    assert list(DailyObservation.objects.order_by("observation_date").values_list(*fields)) == before_obs
    assert list(LabResult.objects.order_by("analyte__code").values_list(*lab_fields)) == before_labs
    assert {r.review_status for r in DailyObservation.objects.all()} == {"submitted"}
    latest = LabResult.objects.first().history.latest()
    assert latest.history_user == coordinator and latest.history_change_reason.startswith("Imported")


def observation_rows(participant, *overrides):
    headers = ["study_id", *DailyObservationResource.Meta.fields[1:]]
    data = tablib.Dataset(headers=headers)
    for day, changes in enumerate(overrides):
        values = observation_values(participant, on=participant.day0_date + datetime.timedelta(days=day), **changes)
        data.append([participant.study_id, *["" if values.get(h) is None else str(values.get(h)) for h in headers[1:]]])
    return data


def test_a_bad_file_is_refused_whole_with_a_message_per_row(participant, coordinator):
    data = observation_rows(participant, {}, {"spo2_percent": 150}, {})
    result = DailyObservationResource(user=coordinator).import_data(data, dry_run=False, use_transactions=True)
    assert result.has_validation_errors()
    (bad,) = result.invalid_rows
    assert bad.number == 2 and "spo2_percent" in bad.error_dict
    assert DailyObservation.objects.count() == 0


def test_admin_dry_run_lists_refused_rows_and_saves_nothing(client, participant, coordinator, monitor):
    client.force_login(monitor)
    assert client.get(reverse("admin:outcomes_dailyobservation_import")).status_code == 403
    client.force_login(coordinator)
    data = observation_rows(participant, {}, {"heart_rate": 400})
    upload = io.BytesIO(data.csv.encode())
    upload.name = "ward3.csv"
    response = client.post(
        reverse("admin:outcomes_dailyobservation_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Ensure this value is less than or equal to 250" in page
    assert "Confirm import" not in page
    assert DailyObservation.objects.count() == 0


def test_import_keeps_to_the_users_sites_and_respects_locks(participant, coordinator, coordinator_b):
    result = DailyObservationResource(user=coordinator_b).import_data(
        observation_rows(participant, {}), dry_run=False, use_transactions=True
    )
    # The study ID is the row's key: another site's participant is not found, and the row fails.
    assert result.has_errors() and "No participant" in str(result.rows[0].errors[0].error)
    assert DailyObservation.objects.count() == 0
    casebook_services.casebook_lock(
        participant=participant, user=coordinator, reason="Database lock", override_reason=UNVERIFIED
    )
    result = DailyObservationResource(user=coordinator).import_data(
        observation_rows(participant, {}), dry_run=False, use_transactions=True
    )
    assert result.has_validation_errors()
    assert "is locked" in " ".join(m for ms in result.invalid_rows[0].error_dict.values() for m in ms)
