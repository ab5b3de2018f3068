"""Every infusion rule through the model layer (full_clean), the deviations it records, and the database
invariants that hold even when full_clean is skipped."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from dosing import services
from dosing.models import Infusion, ProtocolDeviation
from patients import services as patient_services
from patients.casebook.saving import record_save
from tests.factories import give_infusion, infusion_values, planned_start, treated_participant
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def treated(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


def refused(participant, k, user, **overrides) -> dict:
    infusion = Infusion(**infusion_values(participant, k, user=user, **overrides))
    with pytest.raises(ValidationError) as exc:
        infusion.full_clean()
    return exc.value.message_dict


def test_three_on_protocol_infusions_are_accepted_and_mark_the_plan_given(treated, coordinator):
    for k in (1, 2, 3):
        give_infusion(treated, k, user=coordinator)
    assert list(treated.planned_infusions.values_list("status", flat=True)) == ["given"] * 3
    assert not ProtocolDeviation.objects.exists()
    first = treated.infusions.get(sequence_number=1)
    assert first.days_off_plan == 0 and first.history.latest().history_user == coordinator


def test_control_arm_cannot_have_infusions(coordinator, site_a):
    control = treated_participant(user=coordinator, site=site_a, arm_code="control")
    infusion = Infusion(
        **infusion_values(control, 1, user=coordinator, start=timezone.now() - datetime.timedelta(days=2))
    )
    with pytest.raises(ValidationError) as exc:
        infusion.full_clean()
    assert error_codes(exc, "participant") == ["arm_without_product"]


def test_not_before_day0(coordinator, site_a):
    # Consented two days before enrolment: the day before day 0 is after consent, still refused.
    treated = treated_participant(user=coordinator, site=site_a, consent_before=datetime.timedelta(days=2))
    errors = refused(treated, 1, coordinator, start=planned_start(treated, 1, shift_days=-1))
    assert "before study day 0" in errors["start_datetime"][0]


def test_not_before_consent(treated, coordinator):
    consent_time = treated.consents.get().consent_datetime
    errors = refused(treated, 1, coordinator, start=consent_time - datetime.timedelta(minutes=30))
    assert "before informed consent" in errors["start_datetime"][0]


def test_not_in_the_future(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=0)
    errors = refused(participant, 1, coordinator, start=timezone.now() + datetime.timedelta(hours=2))
    assert "future" in errors["start_datetime"][0]


@pytest.mark.parametrize("how", ["withdrawal", "discharge"])
def test_not_after_withdrawal_or_discharge(treated, coordinator, how):
    give_infusion(treated, 1, user=coordinator)
    ended = treated.day0_date + datetime.timedelta(days=2)
    if how == "withdrawal":
        patient_services.participant_withdraw(
            participant=treated, user=coordinator, withdrawal_date=ended, reason="consent_withdrawn"
        )
    else:
        from patients.models import EndOfStudy

        patient_services.end_of_study_record(
            end_of_study=EndOfStudy(participant=treated, end_reason="discharged", end_date=ended), user=coordinator
        )
    errors = refused(treated, 2, coordinator)
    assert "Follow-up ended" in errors["start_datetime"][0]


def test_no_more_infusions_than_the_regimen_allows(treated, coordinator):
    for k in (1, 2, 3):
        give_infusion(treated, k, user=coordinator)
    errors = refused(treated, 4, coordinator, start=planned_start(treated, 3, shift_days=3))
    assert "there is no infusion 4" in errors["sequence_number"][0]


def test_infusion_k_needs_k_minus_1_given(treated, coordinator):
    errors = refused(treated, 2, coordinator)
    assert "Infusion 1 must be recorded" in errors["sequence_number"][0]


def test_infusion_k_allowed_after_k_minus_1_missed_with_reason(treated, coordinator):
    planned = treated.planned_infusions.get(sequence_number=1)
    services.planned_infusion_mark(
        planned=planned, status="missed", reason="Product not released in time", user=coordinator
    )
    give_infusion(treated, 2, user=coordinator)
    deviation = ProtocolDeviation.objects.get(category="missed_infusion")
    assert deviation.reason == "Product not released in time" and deviation.planned_infusion == planned


def test_sequence_number_unique_per_participant(treated, coordinator):
    give_infusion(treated, 1, user=coordinator)
    errors = refused(treated, 1, coordinator, start=planned_start(treated, 1, at=datetime.time(20, 0)))
    assert "already recorded" in errors["sequence_number"][0]


def test_minimum_safe_gap(treated, coordinator):
    first = give_infusion(treated, 1, user=coordinator, start=planned_start(treated, 1, at=datetime.time(20, 0)))
    too_soon = first.end_datetime + datetime.timedelta(hours=47)
    errors = refused(treated, 2, coordinator, start=too_soon, deviation_reason="early")
    assert "minimum safe gap is 48 h" in errors["start_datetime"][0]


def test_editing_an_infusion_respects_the_gap_to_the_next_one(treated, coordinator):
    first = give_infusion(treated, 1, user=coordinator)
    give_infusion(treated, 2, user=coordinator)
    first.end_datetime = planned_start(treated, 2) - datetime.timedelta(hours=10)
    first.start_datetime = first.end_datetime - datetime.timedelta(hours=1)
    first.deviation_reason = "late start"
    with pytest.raises(ValidationError) as exc:
        first.full_clean()
    assert error_codes(exc, "end_datetime") == ["gap_too_short"]


@pytest.mark.parametrize(
    ("minutes", "words"), [(0, "end after it starts"), (-10, "end after it starts"), (361, "implausible")]
)
def test_end_after_start_and_plausible_duration(treated, coordinator, minutes, words):
    errors = refused(treated, 1, coordinator, minutes=minutes)
    assert words in errors["end_datetime"][0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cells_administered_millions": Decimal("0")}, "cells_administered_millions"),
        ({"viability_percent": Decimal("101")}, "viability_percent"),
        ({"spo2_highest": 101}, "spo2_highest"),
        ({"spo2_lowest": 99, "spo2_highest": 90}, "spo2_lowest"),
        ({"lot_number": ""}, "lot_number"),
        ({"interrupted": True}, "interruption_reason"),
    ],
)
def test_value_rules(treated, coordinator, overrides, field):
    assert field in refused(treated, 1, coordinator, **overrides)


@pytest.mark.parametrize(
    ("overrides", "field", "category"),
    [
        ({"start": "shift2"}, "start_datetime", "infusion_window"),
        ({"cells_administered_millions": Decimal("40.0")}, "cells_administered_millions", "dose"),
        ({"viability_percent": Decimal("75.0")}, "viability_percent", "viability"),
    ],
)
def test_soft_rules_save_only_with_a_recorded_deviation(treated, coordinator, overrides, field, category):
    if overrides.get("start") == "shift2":
        overrides = {"start": planned_start(treated, 1, shift_days=2)}
    errors = refused(treated, 1, coordinator, **overrides)
    assert "confirm with a deviation reason" in errors[field][0]
    assert "deviation_reason" in errors
    assert not Infusion.objects.exists()

    infusion = give_infusion(
        treated, 1, user=coordinator, deviation_reason="Patient in CT at the planned time", **overrides
    )
    deviation = ProtocolDeviation.objects.get()
    assert (deviation.infusion, deviation.category, deviation.reason) == (
        infusion,
        category,
        "Patient in CT at the planned time",
    )
    assert deviation.reported_by == coordinator


def test_correcting_an_infusion_back_on_protocol_voids_its_deviation(treated, coordinator):
    infusion = give_infusion(
        treated, 1, user=coordinator, viability_percent=Decimal("70"), deviation_reason="PI approved"
    )
    infusion.viability_percent = Decimal("90")
    record_save(infusion, user=coordinator, reason="Viability misread from the certificate", validate=True)
    deviation = ProtocolDeviation.objects.get()
    assert deviation.voided and "no longer applies" in deviation.void_reason.lower()


def test_voiding_an_infusion_reopens_the_plan(treated, coordinator):
    infusion = give_infusion(treated, 1, user=coordinator)
    infusion.void(reason="Entered for the wrong participant", user=coordinator)
    assert treated.planned_infusions.get(sequence_number=1).status == "planned"
    give_infusion(treated, 1, user=coordinator)  # the sequence number is free again


@override_settings(TIME_ZONE="Europe/London")
def test_gap_is_elapsed_time_across_a_daylight_saving_change(coordinator, site_a):
    """Clocks went forward on 2021-03-28 in London: 10:00 Saturday to 10:00 Monday is 47 h, not 48."""
    london = zoneinfo.ZoneInfo("Europe/London")
    participant = treated_participant(user=coordinator, site=site_a)
    first_end = datetime.datetime(2021, 3, 27, 10, 0, tzinfo=london)
    second_start = datetime.datetime(2021, 3, 29, 10, 0, tzinfo=london)
    # Python's same-zone subtraction says 48 h (wall clock); the real elapsed time is 47 h.
    assert second_start - first_end == datetime.timedelta(hours=48)
    assert second_start.astimezone(datetime.UTC) - first_end.astimezone(datetime.UTC) == datetime.timedelta(hours=47)
    # Move the participant's dates so these times fall on study days 0 and 2 (a window deviation, reasoned).
    participant = _shift_enrolment(participant, datetime.date(2021, 3, 27), coordinator)
    give_infusion(
        participant, 1, user=coordinator, start=first_end - datetime.timedelta(minutes=45), deviation_reason="n/a"
    )
    errors = refused(participant, 2, coordinator, start=second_start, deviation_reason="early")
    assert "Only 47 h 00 min" in errors["start_datetime"][0]


def _shift_enrolment(participant, day0, user):
    """Re-date a fresh participant's consent and enrolment (history kept), for calendar-specific tests."""
    tz = timezone.get_current_timezone()
    consent = participant.consents.get()
    consent.consent_datetime = datetime.datetime.combine(day0, datetime.time(7, 0), tzinfo=tz)
    record_save(consent, user=None, reason="test: re-dated")
    participant.admission_date = day0 - datetime.timedelta(days=1)
    participant.symptom_onset_date = day0 - datetime.timedelta(days=5)
    participant.screening_datetime = datetime.datetime.combine(day0, datetime.time(6, 0), tzinfo=tz)
    participant.enrolment_datetime = datetime.datetime.combine(day0, datetime.time(8, 0), tzinfo=tz)
    participant.day0_date = day0
    record_save(participant, user=None, reason="test: re-dated")
    return participant


@pytest.mark.parametrize(
    "overrides",
    [
        {"cells_administered_millions": Decimal("0")},
        {"viability_percent": Decimal("120")},
        {"minutes": -5},
        {"lot_number": ""},
        {"spo2_lowest": 99, "spo2_highest": 90},
    ],
    ids=["cells", "viability", "end-before-start", "lot", "spo2-order"],
)
def test_database_refuses_invalid_infusion_rows(treated, coordinator, overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        Infusion.objects.create(**infusion_values(treated, 1, user=coordinator, **overrides))


def test_database_refuses_duplicate_sequence(treated, coordinator):
    give_infusion(treated, 1, user=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Infusion.objects.create(
            **infusion_values(treated, 1, user=coordinator, start=planned_start(treated, 1, at=datetime.time(22, 0)))
        )
