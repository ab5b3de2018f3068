"""Imports written a batch at a time (patients/import_batches.py, issue 19): the same records, audit trail,
review status, signature invalidation and row-numbered refusals as saving each row, in a number of queries
that does not grow with the rows."""

import datetime

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.models import DailyObservation, LabResult
from outcomes.resources import DailyObservationResource, LabResultResource
from patients.casebook import services as casebook_services
from patients.casebook.choices import ReviewStatus
from patients.casebook.signatures import CasebookSignature
from tests.factories import PASSWORD, observation_values, record, treated_participant
from tests.helpers import observation_rows


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 3 rows, so a short file spans several (the resources write 500 at a time)."""
    monkeypatch.setattr(DailyObservationResource._meta, "batch_size", 3)


@pytest.fixture
def two_casebooks(coordinator, site_a):
    return [treated_participant(user=coordinator, site=site_a, days_ago=12) for _ in range(2)]


def both(first, second) -> tablib.Dataset:
    data = tablib.Dataset(headers=first.headers)
    for row in [*first, *second]:
        data.append(row)
    return data


def signed_after_day_0(participant, coordinator, clinician) -> None:
    """Day 0 recorded, then the casebook signed by its investigator."""
    record(DailyObservation, participant, observation_values(participant), user=coordinator)
    casebook_services.casebook_sign(
        participant=participant, user=clinician, password=PASSWORD, meaning="complete_accurate"
    )


def run(data, user, *, dry_run=False, resource=DailyObservationResource):
    return resource(user=user).import_data(data, dry_run=dry_run, file_name="ward-log.csv")


def test_a_file_of_several_batches_is_saved_as_row_by_row_saves_would(
    small_batches, two_casebooks, coordinator, clinician
):
    signed_one, other = two_casebooks
    signed_after_day_0(signed_one, coordinator, clinician)
    data = both(observation_rows(signed_one, days=4), observation_rows(other, days=4))
    data[0] = (*data[0][:2], "37.9", *data[0][3:])  # day 0 exists: an update, with its own reason and version

    result = run(data, coordinator)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 7 and result.totals["update"] == 1
    assert all(row.object_id for row in result.rows)
    added = DailyObservation.objects.exclude(pk=result.rows[0].object_id)
    assert added.count() == 7
    assert set(added.values_list("review_status", "review_changed_by")) == {(ReviewStatus.SUBMITTED, coordinator.pk)}
    history = DailyObservation.history.filter(history_type="+", id__in=added.values("pk"))
    assert history.count() == 7
    assert set(history.values_list("history_user", "history_change_reason")) == {
        (coordinator.pk, "Imported from ward-log.csv")
    }
    updated = DailyObservation.objects.get(pk=result.rows[0].object_id)
    assert str(updated.temperature_c) == "37.9" and updated.version == 2
    # The signature falls with the first change to its casebook (the update, row 1), once.
    signature = CasebookSignature.objects.get()
    assert not signature.valid
    assert signature.invalidated_reason.endswith("(day 0) changed by coord_a after signing: Imported from ward-log.csv")
    assert signature.history.count() == 2


def test_a_new_record_added_after_signing_invalidates_it_naming_the_first_new_one(
    clinician, small_batches, two_casebooks, coordinator
):
    signed_one, other = two_casebooks
    signed_after_day_0(signed_one, coordinator, clinician)
    rows = observation_rows(signed_one, days=3)
    del rows[0]  # days 1 and 2: both new
    result = run(both(observation_rows(other, days=2), rows), coordinator)

    assert result.totals["new"] == 4
    signature = CasebookSignature.objects.get()
    assert not signature.valid
    assert signature.invalidated_reason.endswith("(day 1) added by coord_a after signing: Imported from ward-log.csv")


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "confirm"])
def test_a_row_the_database_refuses_is_named_with_its_message_and_nothing_is_saved(
    small_batches, two_casebooks, coordinator, dry_run
):
    first, second = two_casebooks
    record(
        DailyObservation,
        second,
        observation_values(second, on=second.day0_date + datetime.timedelta(days=1)),
        user=coordinator,
    )
    before = (DailyObservation.objects.count(), DailyObservation.history.count())
    # Rows 1-3 (first's days 0-2) are a batch that holds; rows 4-6 (second's days 0-2) hold row 5, already
    # recorded: in a batch only the database's unique constraint sees it.
    data = both(observation_rows(first, days=3), observation_rows(second, days=3))

    result = run(data, coordinator, dry_run=dry_run, resource=_NewRowsOnly)

    assert [row.number for row in result.invalid_rows] == [5]
    error = result.invalid_rows[0].error
    assert [e.code for e in error.error_dict["observation_date"]] == ["duplicate"]
    assert "already recorded" in result.invalid_rows[0].error_dict["observation_date"][0]
    assert result.totals["invalid"] == 1 and result.totals["new"] == 5
    assert (DailyObservation.objects.count(), DailyObservation.history.count()) == before


class _NewRowsOnly(DailyObservationResource):
    """Treats every row as new (as a file whose key columns miss an existing record would be), so the
    duplicate reaches the batch's insert, where only the database's unique constraint refuses it."""

    def get_instance(self, instance_loader, row):
        return None


def test_the_queries_do_not_grow_with_the_rows(two_casebooks, coordinator):
    short = both(observation_rows(two_casebooks[0], days=2), observation_rows(two_casebooks[1], days=2))
    long = both(observation_rows(two_casebooks[0], days=8), observation_rows(two_casebooks[1], days=8))
    run(short, coordinator, dry_run=True)  # the user's permissions and sites, read once per request
    counted = []
    for data in (short, long):
        with CaptureQueriesContext(connection) as queries:
            result = run(data, coordinator, dry_run=True)
        assert result.totals["new"] == len(data)
        counted.append(len(queries))
    assert counted[0] == counted[1], counted


def test_lab_results_read_their_analytes_once(two_casebooks, coordinator):
    participant = two_casebooks[0]
    data = tablib.Dataset(headers=["study_id", "analyte", "sample_datetime", "value", "detection_limit", "comment"])
    for hour in range(6):
        for code in ("crp", "il6"):
            sample = datetime.datetime.combine(participant.day0_date, datetime.time(6 + hour), tzinfo=datetime.UTC)
            data.append([participant.study_id, code, sample.isoformat(), "10.5", "", ""])
    data.append([participant.study_id, "nonsense", sample.isoformat(), "1", "", ""])

    with CaptureQueriesContext(connection) as queries:
        result = run(data, coordinator, resource=LabResultResource)

    # An unknown code in the file's key columns: the row's error, as before batches.
    assert [(number, str(errors[0].error)) for number, errors in result.row_errors()] == [
        (13, "Analyte 'nonsense' does not exist.")
    ]
    assert sum('FROM "outcomes_analyte"' in q["sql"] for q in queries.captured_queries) == 1
    assert LabResult.objects.count() == 0  # one bad row: nothing saved
