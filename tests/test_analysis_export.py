"""The analysis bundle: de-identified, every column in the dictionary, checksums that match, study days on
request, scoped to the user's sites, and a number of queries that does not grow with the rows."""

import csv
import datetime
import hashlib
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes.models import AdverseEvent, DailyObservation
from patients.casebook import services as casebook_services
from tests.factories import (
    UserFactory,
    ae_values,
    give_infusion,
    observation_values,
    record,
    treated_participant,
)
from ucmsc_crf.analysis.bundle import bundle_chunks
from ucmsc_crf.analysis.columns import Options

pytestmark = pytest.mark.django_db
BIRTH = datetime.date(1961, 3, 17)


def unzip(chunks) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def casebook(participant, user, days=3):
    give_infusion(participant, 1, user=user)
    for day in range(days):
        values = observation_values(participant, on=participant.day0_date + datetime.timedelta(days=day))
        record(DailyObservation, participant, values, user=user)
    record(AdverseEvent, participant, ae_values(participant), user=user)


@pytest.fixture
def trial(coordinator, clinician, site_a):
    participant = treated_participant(
        user=coordinator,
        site=site_a,
        initials="ZWL",
        date_of_birth=BIRTH,
        other_comorbidities="Lives at 12 Hankou Road",
    )
    casebook(participant, clinician)
    casebook_services.query_raise(record=participant, user=coordinator, text="Mr Zhang's weight?")
    return participant


def test_nothing_in_the_bundle_identifies_a_person(trial):
    files = unzip(bundle_chunks(options=Options()))
    everything = "\n".join(text for name, text in files.items() if name.endswith(".csv"))
    for cells in (table(text) for name, text in files.items() if name.endswith(".csv")):
        for row in cells:
            assert "ZWL" not in row.values()
    for leak in (BIRTH.isoformat(), "Hankou", "Zhang", "clin_a", "coord_a", "initials", "date_of_birth"):
        assert leak not in everything, leak
    participant = table(files["participants.csv"])[0]
    assert participant["study_id"] == trial.study_id and participant["age_years"] == str(trial.age_at_enrolment)


def test_free_text_comes_only_on_request_and_flagged(trial):
    files = unzip(bundle_chunks(options=Options(free_text=True)))
    assert "Hankou" in files["participants.csv"]
    flagged = [r for r in table(files["dictionary.csv"]) if r["column"] == "other_comorbidities"]
    assert flagged[0]["free_text"].startswith("yes")


def test_the_dictionary_describes_every_column_of_every_file(trial):
    files = unzip(bundle_chunks(options=Options()))
    dictionary = table(files["dictionary.csv"])
    described = {(r["file"], r["column"]) for r in dictionary}
    headers = {
        (name, column)
        for name, text in files.items()
        if name.endswith(".csv") and name != "dictionary.csv"
        for column in next(csv.reader(io.StringIO(text)))
    }
    assert headers == described
    oxygen = next(r for r in dictionary if (r["file"], r["column"]) == ("daily_observations.csv", "oxygen_support"))
    assert "room_air=Room air" in oxygen["codes"] and oxygen["origin"] == "entered"
    temperature = next(r for r in dictionary if r["column"] == "temperature_c")
    assert temperature["unit"] == "°C" and temperature["type"] == "decimal"


def test_readme_checksums_match_the_files(trial):
    files = unzip(bundle_chunks(options=Options()))
    listed = re.findall(r"^  ([0-9a-f]{64})  (\S+)  \((\d+) rows\)$", files["README.txt"], re.M)
    assert len(listed) == len([n for n in files if n.endswith(".csv")])
    for digest, name, rows in listed:
        assert hashlib.sha256(files[name].encode("utf-8")).hexdigest() == digest
        assert len(table(files[name])) == int(rows)


def test_coding_is_fixed_utc_datetimes_codes_and_missing_kept_apart(trial, clinician):
    record(
        DailyObservation,
        trial,
        observation_values(trial, on=trial.day0_date + datetime.timedelta(days=5), fatigue="not_assessed"),
        user=clinician,
    )
    files = unzip(bundle_chunks(options=Options()))
    observations = table(files["daily_observations.csv"])
    assert [r["study_day"] for r in observations] == ["0", "1", "2", "5"]
    assert observations[-1]["fatigue"] == "not_assessed" and observations[0]["fatigue"] in ("present", "absent")
    infusion = table(files["infusions.csv"])[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", infusion["start_datetime"])
    assert infusion["interrupted"] == "0"
    summary = table(files["analysis_table.csv"])[0]
    assert summary["infusions_given"] == "1" and summary["adverse_events"] == "1"
    assert summary["ever_ventilated"] == "0" and summary["observed_days"] == "4"


def test_study_days_replace_every_calendar_date(trial):
    files = unzip(bundle_chunks(options=Options(study_days=True)))
    for name, text in files.items():
        if name.endswith(".csv"):
            assert not re.search(r"\d{4}-\d\d-\d\d", text), name
    participant = table(files["participants.csv"])[0]
    assert participant["day0_date"] == "0" and int(participant["admission_date"]) <= 0


def test_labs_come_long_and_wide(trial, clinician):
    from outcomes.models import LabResult
    from tests.factories import lab_values

    record(LabResult, trial, lab_values(trial, analyte="il6"), user=clinician)
    record(LabResult, trial, lab_values(trial, analyte="crp"), user=clinician)
    files = unzip(bundle_chunks(options=Options()))
    assert {r["analyte"] for r in table(files["labs.csv"])} == {"il6", "crp"}
    wide = table(files["labs_wide_by_study_day.csv"])
    assert len(wide) == 1 and wide[0]["il6"] and wide[0]["crp"] and wide[0]["igm"] == ""


def test_query_count_does_not_grow_with_rows(coordinator, clinician, site_a):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            b"".join(bundle_chunks(options=Options()))
        return len(queries)

    first = treated_participant(user=coordinator, site=site_a)
    casebook(first, clinician, days=2)
    small = count_queries()
    for _ in range(3):
        casebook(treated_participant(user=coordinator, site=site_a), clinician, days=6)
    assert count_queries() == small


def test_download_is_for_the_export_role_and_scoped_to_its_sites(client, trial, clinician, site_b, coordinator_b):
    statistician = UserFactory(username="stat", role="Statistician", sites=[trial.site])
    client.force_login(statistician)
    assert "Download analysis bundle" in client.get(reverse("home")).content.decode()
    response = client.get(reverse("analysis-export"), {"dates": "study_days"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response.streaming
    files = unzip(response.streaming_content)
    assert [r["study_id"] for r in table(files["participants.csv"])] == [trial.study_id]
    assert "study days" in files["README.txt"]
    client.force_login(coordinator_b)
    files = unzip(client.get(reverse("analysis-export")).streaming_content)
    assert table(files["participants.csv"]) == []
    client.force_login(clinician)
    assert client.get(reverse("analysis-export")).status_code == 403


def test_command_writes_the_bundle(trial, tmp_path, capsys):
    out = tmp_path / "bundle.zip"
    call_command("export_analysis", str(out), "--study-days")
    assert "Wrote" in capsys.readouterr().out
    assert "participants.csv" in zipfile.ZipFile(out).namelist()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL: set DATABASE_URL=postgres://...")
@pytest.mark.parametrize("study_days", [False, True], ids=["dates", "study-days"])
def test_postgresql_copy_writes_the_same_bytes_as_the_orm(trial, clinician, study_days):
    from outcomes.models import LabResult
    from tests.factories import lab_values
    from ucmsc_crf.analysis.bundle import domain_blocks
    from ucmsc_crf.analysis.copy_sql import copy_query
    from ucmsc_crf.analysis.domains import domains

    record(LabResult, trial, lab_values(trial, analyte="il6", comment='high, "haemolysed"\nrepeat'), user=clinician)
    options = Options(study_days=study_days, free_text=True)
    copied = 0
    for domain in domains(options):
        orm = b"".join(domain_blocks(domain, user=None, options=options, counter=[0], use_copy=False))
        counter = [0]
        fast = b"".join(domain_blocks(domain, user=None, options=options, counter=counter, use_copy=True))
        assert fast == orm, domain.name
        copied += copy_query(domain, user=None, options=options) is not None
    # Every domain but participants (age and BMI are computed in Python) and data queries (the queried
    # record named by its natural key, read per form) went through COPY.
    assert copied == len(domains(options)) - 2


def test_data_queries_name_their_record_by_natural_key_not_by_id(trial, monitor, coordinator, clinician, site_a):
    from dosing.models import Infusion

    observation = DailyObservation.objects.filter(participant=trial).order_by("observation_date")[1]
    infusion = Infusion.objects.get(participant=trial)
    casebook_services.query_raise(
        record=observation, user=monitor, text="Check the heart rate", field_name="heart_rate"
    )
    casebook_services.query_raise(record=infusion, user=monitor, text="Check the lot")
    casebook_services.query_raise(record=trial, user=monitor, text="Check the weight")
    files = unzip(bundle_chunks(options=Options()))
    header = files["data_queries.csv"].splitlines()[0].split(",")
    assert "object_id" not in header and "record" in header
    records = {(r["form"], r["record"]) for r in table(files["data_queries.csv"])}
    assert records == {
        ("dailyobservation", f"observation_date={observation.observation_date.isoformat()}"),
        ("infusion", "sequence_number=1"),
        ("participant", ""),
    }
    by_days = unzip(bundle_chunks(options=Options(study_days=True)))
    assert ("dailyobservation", "observation_date=1") in {
        (r["form"], r["record"]) for r in table(by_days["data_queries.csv"])
    }
    dictionary = {r["column"]: r for r in table(files["dictionary.csv"]) if r["file"] == "data_queries.csv"}
    assert "natural key" in dictionary["record"]["label"]

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            b"".join(bundle_chunks(options=Options()))
        return len(queries)

    before = count_queries()
    for other in DailyObservation.objects.filter(participant=trial).exclude(pk=observation.pk):
        casebook_services.query_raise(record=other, user=monitor, text="Check")
    assert count_queries() == before  # one read per form queried, not one per query


@pytest.mark.parametrize("use_copy", [False, True], ids=["orm", "copy"])
def test_a_user_with_no_site_gets_headers_only(trial, use_copy):
    """An exporting role not yet given a site (e.g. a new unblinded statistician) sees no rows, on PostgreSQL's
    COPY path too, where an empty scope cannot even be written as SQL (it was a 500)."""
    from tests.factories import UserFactory
    from ucmsc_crf.analysis.bundle import domain_blocks
    from ucmsc_crf.analysis.domains import domains

    if use_copy and connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL")
    nobody = UserFactory(username="no_sites", role="Statistician")
    options = Options()
    for domain in domains(options):
        counter = [0]
        text = b"".join(domain_blocks(domain, user=nobody, options=options, counter=counter, use_copy=use_copy))
        assert text.decode().splitlines() == [",".join(c.name for c in domain.columns)], domain.name
        assert counter[0] == 0
