"""Migrating a paper archive (patients/archive_migration.py, issue 19): one row per person screened, through
the services the ward's forms use, all or nothing, refused rows named on their column."""

import datetime
import io

import pytest
import tablib
from django.urls import reverse
from django.utils import timezone

from outcomes.resources import DailyObservationResource
from patients.archive_migration import ArchiveMigrationResource
from patients.casebook.choices import ParticipantStatus
from patients.eligibility import current_criteria
from patients.models import Arm, Consent, EligibilityAnswer, EndOfStudy, Participant
from tests.factories import UserFactory, randomised_design
from tests.helpers import observation_rows

IMPORT = "admin:patients_participant_import"
CONFIRM = "admin:patients_participant_process_import"


@pytest.fixture
def investigator(site_a):
    return UserFactory(username="dr_wu", role="Clinician", sites=[site_a])


def archive_row(investigator, archive_id, *, admitted_days_ago=60, arm="ucmsc", **overrides) -> dict:
    """A finished participant's paper file: screened the day after admission, consented an hour later,
    enrolled two hours after that, discharged three weeks on."""
    admitted = timezone.localdate() - datetime.timedelta(days=admitted_days_ago)
    screened = datetime.datetime.combine(admitted + datetime.timedelta(days=1), datetime.time(9), tzinfo=datetime.UTC)
    row = {
        "archive_id": archive_id,
        "site": "01",
        "initials": "ZWL",
        "sex": "M",
        "date_of_birth": "1968-04-02",
        "weight_kg": "71.5",
        "height_cm": "172.0",
        "admission_date": admitted.isoformat(),
        "symptom_onset_date": (admitted - datetime.timedelta(days=6)).isoformat(),
        "severity": "severe",
        "hypertension": "yes",
        "diabetes": "no",
        "cardiovascular_disease": "no",
        "chronic_lung_disease": "no",
        "chronic_kidney_disease": "unknown",
        "chronic_liver_disease": "no",
        "other_comorbidities": "",
        "screening_datetime": screened.isoformat(),
        **{criterion.code: criterion.required_answer for criterion in current_criteria()},
        "consent_datetime": (screened + datetime.timedelta(hours=1)).isoformat(),
        "consent_form_version": "1.0",
        "consent_given_by": "participant",
        "consent_representative_relationship": "",
        "consent_obtained_by": investigator.username,
        "enrolment_datetime": (screened + datetime.timedelta(hours=3)).isoformat(),
        "arm": arm,
        "end_reason": "discharged",
        "end_date": (admitted + datetime.timedelta(days=22)).isoformat(),
        "icu_admission_date": "",
        "icu_discharge_date": "",
        "end_details": "",
    }
    row.update(overrides)
    return row


def archive_file(*rows) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        data.append(list(row.values()))
    return data


def screen_failure(investigator, archive_id):
    """Screened, pregnant: a screen failure, never consented or enrolled."""
    blank = dict.fromkeys(
        ["consent_datetime", "consent_form_version", "consent_given_by", "consent_obtained_by", "enrolment_datetime"],
        "",
    )
    return archive_row(
        investigator, archive_id, sex="F", exc_pregnancy="yes", arm="", end_reason="", end_date="", **blank
    )


def migrate(data, user, *, dry_run=False):
    return ArchiveMigrationResource(user=user).import_data(data, dry_run=dry_run, file_name="archive.xlsx")


def errors_by_column(result) -> dict[int, dict[str, list[str]]]:
    return {
        row.number: {column: [e.code for e in errors] for column, errors in row.error.error_dict.items()}
        for row in result.invalid_rows
    }


def test_a_paper_archive_is_migrated_through_the_forms_rules(coordinator, investigator):
    data = archive_file(
        archive_row(investigator, "ARCH-0001"),
        archive_row(investigator, "ARCH-0002", arm="control", end_reason="died", end_details="Respiratory failure"),
        screen_failure(investigator, "ARCH-0003"),
    )

    preview = migrate(data, coordinator, dry_run=True)
    assert not preview.has_errors() and not preview.has_validation_errors()
    assert preview.totals["new"] == 3
    assert not Participant.objects.exists()

    result = migrate(data, coordinator)

    assert not result.has_errors() and not result.has_validation_errors()
    migrated = {p.archive_id: p for p in Participant.objects.all()}
    assert {p.study_id for p in migrated.values()} == {"01-001", "01-002", "01-003"}
    treated, died, failed = migrated["ARCH-0001"], migrated["ARCH-0002"], migrated["ARCH-0003"]
    assert (treated.status, treated.arm.code, treated.day0_date) == (
        ParticipantStatus.COMPLETED,
        "ucmsc",
        timezone.localdate(treated.enrolment_datetime),
    )
    assert (died.status, died.arm.code) == (ParticipantStatus.COMPLETED, "control")
    assert died.ends_of_study.get().get_end_reason_display() == "Died"
    assert (failed.status, failed.arm) == (ParticipantStatus.SCREEN_FAILURE, None)
    assert "Pregnant" in failed.screen_failure_reason
    assert EligibilityAnswer.objects.filter(participant=treated).count() == len(current_criteria())
    assert Consent.objects.get(participant=treated).obtained_by == investigator
    assert not Consent.objects.filter(participant=failed).exists()
    assert EndOfStudy.objects.count() == 2
    # Every record in the audit trail, as the importing coordinator.
    assert set(treated.history.values_list("history_user", flat=True)) == {coordinator.pk}
    assert [str(row.object_id) for row in result.rows] == [str(p.pk) for p in (treated, died, failed)]


def test_the_archive_id_finds_the_participant(client, coordinator, investigator):
    migrate(archive_file(archive_row(investigator, "ARCH-0001"), archive_row(investigator, "ARCH-0002")), coordinator)
    client.force_login(coordinator)

    listed = client.get(reverse("participant-list"), {"q": "arch-0002"})
    assert [p.archive_id for p in listed.context["participants"]] == ["ARCH-0002"]
    page = client.get(reverse("participant-detail", args=[Participant.objects.get(archive_id="ARCH-0002").study_id]))
    assert "Paper archive ARCH-0002" in page.content.decode()
    admin_list = client.get(reverse("admin:patients_participant_changelist"), {"q": "ARCH-0001"})
    assert [p.archive_id for p in admin_list.context["cl"].result_list] == ["ARCH-0001"]


def test_a_refused_row_is_named_on_its_column_and_nothing_is_saved(coordinator, investigator):
    admitted = timezone.localdate() - datetime.timedelta(days=60)
    data = archive_file(
        archive_row(investigator, "ARCH-0001"),
        # Consent after the enrolment: the enrolment gate refuses it.
        archive_row(
            investigator,
            "ARCH-0002",
            consent_datetime=datetime.datetime.combine(admitted, datetime.time(23), tzinfo=datetime.UTC).isoformat(),
            enrolment_datetime=datetime.datetime.combine(admitted, datetime.time(22), tzinfo=datetime.UTC).isoformat(),
        ),
        archive_row(investigator, "ARCH-0003", arm="placebo"),
        archive_row(investigator, "ARCH-0004", consent_obtained_by="nobody"),
        archive_row(investigator, "ARCH-0005", weight_kg="12"),
        archive_row(investigator, "ARCH-0006", consent_obtained_by=""),
    )

    result = migrate(data, coordinator)

    refused = errors_by_column(result)
    assert sorted(refused) == [2, 3, 4, 5, 6]
    assert refused[2] == {"enrolment_datetime": ["before_consent"]}  # the enrolment form's own rule
    assert refused[3] == {"arm": ["invalid"]}
    assert refused[4] == {"consent_obtained_by": ["invalid"]}
    assert list(refused[5]) == ["weight_kg"]
    # Never the importing coordinator in the investigator's place.
    assert refused[6] == {"consent_obtained_by": ["required"]}
    assert not Participant.objects.exists() and not Participant.history.exists()


def test_a_file_migrated_twice_is_refused_by_its_archive_ids(coordinator, investigator):
    data = archive_file(archive_row(investigator, "ARCH-0001"))
    migrate(data, coordinator)

    again = migrate(data, coordinator)

    # The site and the archive ID together: the row's error, naming the archive ID.
    assert errors_by_column(again) == {1: {"__all__": ["archive_id_migrated"]}}
    assert "archive ID is already a participant" in str(again.invalid_rows[0].error)
    assert Participant.objects.count() == 1


def test_another_sites_code_is_refused(coordinator_b, investigator):
    result = migrate(archive_file(archive_row(investigator, "ARCH-0001")), coordinator_b)
    assert "site" in errors_by_column(result)[1]
    assert not Participant.objects.exists()


def test_a_randomised_trial_takes_its_screening_but_not_its_enrolments(coordinator, investigator):
    randomised_design()
    arm = Arm.objects.first().code  # the file names an arm of the trial: the list allocates, not the file
    data = archive_file(archive_row(investigator, "ARCH-0001", arm=arm), screen_failure(investigator, "ARCH-0002"))

    result = migrate(data, coordinator)

    assert errors_by_column(result) == {1: {"enrolment_datetime": ["randomised_trial"]}}
    assert not Participant.objects.exists()
    # Without the enrolment and its end, the same person is migrated as screened and consented.
    unenrolled = archive_row(investigator, "ARCH-0001", enrolment_datetime="", arm="", end_reason="", end_date="")
    result = migrate(archive_file(unenrolled), coordinator)
    assert not result.has_validation_errors()
    assert Participant.objects.get().status == ParticipantStatus.SCREENING


def test_the_admin_previews_then_migrates_the_file(client, coordinator, investigator):
    client.force_login(coordinator)
    file = io.BytesIO(archive_file(archive_row(investigator, "ARCH-0001")).csv.encode())
    file.name = "archive.csv"
    formats = client.get(reverse(IMPORT)).context["form"].fields["format"].choices
    csv = next(value for value, label in formats if str(label).lower() == "csv")

    preview = client.post(reverse(IMPORT), {"import_file": file, "format": csv, "resource": "0"})
    assert preview.status_code == 200 and "Confirm import" in preview.content.decode()
    assert "ARCH-0001" in preview.content.decode()
    assert not Participant.objects.exists()

    done = client.post(reverse(CONFIRM), preview.context["confirm_form"].initial, follow=True)
    assert done.status_code == 200
    assert Participant.objects.get().archive_id == "ARCH-0001"


def test_the_later_imports_may_name_the_participants_by_archive_id(coordinator, investigator):
    migrate(archive_file(archive_row(investigator, "ARCH-0001"), archive_row(investigator, "ARCH-0002")), coordinator)
    second = Participant.objects.get(archive_id="ARCH-0002")
    ward_log = observation_rows(second, days=2)
    by_archive = tablib.Dataset(headers=["archive_id", *ward_log.headers[1:]])
    for row in ward_log:
        by_archive.append(["ARCH-0002", *row[1:]])
    unknown = list(by_archive[1])
    unknown[0] = "ARCH-9999"
    by_archive.append(unknown)

    refused = DailyObservationResource(user=coordinator).import_data(by_archive, dry_run=False)
    assert [(number, str(errors[0].error)) for number, errors in refused.row_errors()] == [
        (3, "No participant 'ARCH-9999' at your sites.")
    ]
    del by_archive[2]
    result = DailyObservationResource(user=coordinator).import_data(by_archive, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert second.daily_observations.count() == 2
    assert not Participant.objects.get(archive_id="ARCH-0001").daily_observations.exists()
