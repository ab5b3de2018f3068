"""Malformed import files through the admin: wrong encoding, missing or unknown columns, duplicated rows,
an oversized file. Each gets a clear message, never a 500, and nothing is saved."""

import io

import pytest
from django.urls import reverse

from outcomes.models import DailyObservation
from tests.factories import treated_participant
from tests.helpers import observation_rows

pytestmark = pytest.mark.django_db
IMPORT = "admin:outcomes_dailyobservation_import"


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


def upload(client, content: bytes, name="ward.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse(IMPORT), {"import_file": file, "format": "0", "resource": "0"})


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def logged_in(client, coordinator):
    client.force_login(coordinator)
    return client


def test_a_good_file_previews_without_saving(logged_in, participant):
    body = page_of(upload(logged_in, observation_rows(participant).csv.encode()))
    assert "Confirm import" in body and DailyObservation.objects.count() == 0


def test_wrong_encoding(logged_in, participant):
    content = observation_rows(participant, other_symptoms_details="Névralgie").csv.encode("utf-16")
    body = page_of(upload(logged_in, content))
    assert "Confirm import" not in body
    assert "not UTF-8 text" in body
    assert DailyObservation.objects.count() == 0


def test_missing_columns_are_named(logged_in, participant):
    data = observation_rows(participant)
    del data["heart_rate"]
    body = page_of(upload(logged_in, data.csv.encode()))
    assert "missing columns: heart_rate" in body and "Confirm import" not in body
    assert DailyObservation.objects.count() == 0


def test_a_misspelt_column_is_refused_not_silently_dropped(logged_in, participant):
    data = observation_rows(participant)
    data.headers = [("oxygen flow" if h == "oxygen_flow_l_min" else h) for h in data.headers]
    body = page_of(upload(logged_in, data.csv.encode()))
    assert "unknown columns: oxygen flow" in body and "missing columns: oxygen_flow_l_min" in body
    assert DailyObservation.objects.count() == 0


def test_duplicated_rows_are_refused(logged_in, participant):
    data = observation_rows(participant, days=1)
    data.append(data[0])
    body = page_of(upload(logged_in, data.csv.encode()))
    assert "Rows 1 and 2 are the same record" in body and "Confirm import" not in body
    assert DailyObservation.objects.count() == 0


def test_an_oversized_file_is_refused_before_it_is_read(logged_in, participant, settings):
    settings.CRF_IMPORT_MAX_MB = 10
    header = observation_rows(participant, days=1).csv.encode()
    big = header + b"x" * (50 * 1024 * 1024)
    body = page_of(upload(logged_in, big))
    assert "50.0 MB; an import takes at most 10 MB" in body
    assert DailyObservation.objects.count() == 0


def test_garbage_and_an_empty_file(logged_in, participant):
    for content, message in (
        (b"", "The submitted file is empty"),
        (b"\x00\xff\x00\xfe garbage", "not UTF-8 text"),
        (b"\xff\xfe garbage", "encountered while trying to read file"),
        (b"study_id\n", "No valid data to import"),
    ):
        body = page_of(upload(logged_in, content))
        assert message in body and "Confirm import" not in body
    assert DailyObservation.objects.count() == 0


def test_a_nul_character_is_refused_on_the_file_not_a_500(logged_in, participant):
    """Issue 28, I: a NUL in an import's study ID answered 500 on PostgreSQL (the database refuses NUL in a
    string). A NUL anywhere in a CSV is refused on the file field with its code. (An XLSX cannot hold one:
    XML has no NUL character.)"""
    data = observation_rows(participant, days=1)
    row = list(data[0])
    row[data.headers.index("study_id")] = participant.study_id + "\x00"
    data[0] = row
    response = upload(logged_in, data.csv.encode())
    body = page_of(response)
    assert "Line 2 holds a NUL character" in body and "Confirm import" not in body
    assert [e.code for e in response.context["form"].errors.as_data()["import_file"]] == ["nul_character"]
    assert DailyObservation.objects.count() == 0


def test_the_size_limit_error_carries_its_code(logged_in, participant, settings):
    settings.CRF_IMPORT_MAX_MB = 1
    response = upload(logged_in, observation_rows(participant, days=1).csv.encode() + b"x" * (2 * 1024 * 1024))
    assert [e.code for e in response.context["form"].errors.as_data()["import_file"]] == ["file_too_large"]


def test_an_unexpected_error_shows_no_traceback_and_is_logged(logged_in, participant, monkeypatch, caplog):
    """Issue 28, 5: the import page printed a Python traceback with the server's file paths under an error
    that was no row's. The page says nothing was imported; the details go to the log."""
    from patients.resources import FileImportResource

    def broken(self, dataset, **kwargs):
        raise RuntimeError('File "/srv/ucmsc-crf/patients/secret.py", line 1: relation "x" does not exist')

    monkeypatch.setattr(FileImportResource, "before_import", broken)
    body = page_of(upload(logged_in, observation_rows(participant).csv.encode()))
    assert "Traceback" not in body and "secret.py" not in body and "does not exist" not in body
    assert "nothing was imported" in body and "Confirm import" not in body
    assert any("secret.py" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    assert DailyObservation.objects.count() == 0


def test_an_import_stops_after_the_refused_rows_it_lists(logged_in, participant, settings):
    """Issue 28, H: a 9 MB file of 410,312 invalid rows grew a worker past 3 GB collecting every row's errors.
    After CRF_IMPORT_MAX_REFUSED_ROWS refused rows the import stops, lists those, and counts the rest."""
    settings.CRF_IMPORT_MAX_REFUSED_ROWS = 5
    data = observation_rows(participant, days=12, systolic_bp=95, diastolic_bp=120)  # every row refused
    response = upload(logged_in, data.csv.encode())
    body = page_of(response)
    result = response.context["result"]
    assert len(result.invalid_rows) == 5 and "Confirm import" not in body
    assert "More than 5 rows are refused, so the import stopped at row 6: the 6 rows after it were not checked" in body
    assert [e.error.code for e in result.base_errors] == ["too_many_refused_rows"]
    assert DailyObservation.objects.count() == 0


@pytest.mark.parametrize(
    ("bound", "value", "code"),
    [
        ("CRF_IMPORT_MAX_ROWS", 3, "csv_too_many_rows"),
        ("CRF_IMPORT_MAX_COLUMNS", 5, "csv_too_many_columns"),
        ("CRF_IMPORT_MAX_CELLS", 40, "csv_too_many_cells"),
    ],
)
def test_a_csv_is_bounded_by_rows_columns_and_cells_before_it_is_read(
    logged_in, participant, settings, bound, value, code
):
    """Bytes alone bounded a CSV: rows, columns and cells are counted as the file streams by."""
    setattr(settings, bound, value)
    response = upload(logged_in, observation_rows(participant, days=4).csv.encode())
    assert [e.code for e in response.context["form"].errors.as_data()["import_file"]] == [code]
    assert DailyObservation.objects.count() == 0


def test_a_long_file_previews_its_first_rows_and_counts_the_rest(logged_in, participant, settings):
    """Issue 28, H: a 30,000-row preview was a 112 MB page. The preview lists CRF_IMPORT_PREVIEW_ROWS rows
    (their HTML diff drawn for those only), counts the rest by what they would do, and the confirmation
    imports every row."""
    settings.CRF_IMPORT_PREVIEW_ROWS = 4
    response = upload(logged_in, observation_rows(participant, days=10).csv.encode())  # days 0 to 9
    body = page_of(response)
    result = response.context["result"]
    assert result.totals["new"] == 10 and len(result.valid_rows()) == 4
    assert [row.diff is not None for row in result.valid_rows()] == [True] * 4
    assert result.rows_not_shown == 6 and result.not_shown == {"new": 6}
    assert "The first 4 rows are listed below. The other 6 (6 new, 0 updated, 0 skipped)" in " ".join(body.split())
    assert body.count('<tr class="new">') == 4
    confirmed = logged_in.post(
        reverse("admin:outcomes_dailyobservation_process_import"), response.context["confirm_form"].initial
    )
    assert confirmed.status_code == 302 and DailyObservation.objects.count() == 10


def test_a_short_file_lists_every_row(logged_in, participant):
    response = upload(logged_in, observation_rows(participant, days=3).csv.encode())
    result = response.context["result"]
    assert len(result.valid_rows()) == 3 and result.rows_not_shown == 0
    assert "are listed below" not in page_of(response)
