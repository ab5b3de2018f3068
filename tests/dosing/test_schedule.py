"""The planned schedule: created at enrolment from the regimen (data), due / overdue derived."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dosing import services
from dosing.models import ArmRegimen, PlannedInfusion, Regimen
from patients.models import Arm
from tests.factories import give_infusion, treated_participant
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


def test_phase1_regimen_is_data_from_a_migration():
    regimen = ArmRegimen.objects.get(arm__code="ucmsc").regimen
    assert (regimen.number_of_infusions, regimen.interval_days, regimen.window_days, regimen.min_gap_hours) == (
        3,
        3,
        1,
        48,
    )
    assert regimen.nominal_cells_millions == Decimal("30.0")
    assert not ArmRegimen.objects.filter(arm__code="control").exists()


def test_enrolment_into_ucmsc_creates_three_planned_infusions_on_days_0_3_6(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    planned = list(participant.planned_infusions.order_by("sequence_number"))
    assert [p.planned_date - participant.day0_date for p in planned] == [datetime.timedelta(days=d) for d in (0, 3, 6)]
    assert {p.status for p in planned} == {"planned"}
    assert planned[1].window_start == participant.day0_date + datetime.timedelta(days=2)
    assert planned[1].window_end == participant.day0_date + datetime.timedelta(days=4)


def test_control_enrolment_creates_no_schedule(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, arm_code="control")
    assert not participant.planned_infusions.exists()


def test_phase2_regimen_is_a_new_row_not_a_code_change(coordinator, site_a):
    regimen = Regimen.objects.create(
        code="ucmsc-phase2",
        name="Phase 2: 4 x 10^7 cells, days 0 and 4",
        number_of_infusions=2,
        interval_days=4,
        window_days=1,
        min_gap_hours=72,
        nominal_cells_millions=Decimal("40.0"),
        dose_tolerance_percent=Decimal("10.0"),
        min_viability_percent=Decimal("85.0"),
        max_duration_minutes=240,
    )
    arm = Arm.objects.create(code="ucmsc-high", name="UC-MSC high dose", treatment="active")
    ArmRegimen.objects.create(arm=arm, regimen=regimen)
    participant = treated_participant(user=coordinator, site=site_a, arm_code="ucmsc-high")
    assert [
        (p.sequence_number, (p.planned_date - participant.day0_date).days) for p in participant.planned_infusions.all()
    ] == [
        (1, 0),
        (2, 4),
    ]
    give_infusion(participant, 1, user=coordinator, cells_administered_millions=Decimal("40.0"))


def test_due_and_overdue_are_derived_from_today(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    second = participant.planned_infusions.get(sequence_number=2)
    assert second.due_state(today=second.planned_date - datetime.timedelta(days=2)) == ""
    assert second.due_state(today=second.window_start) == "due"
    assert second.due_state(today=second.window_end) == "due"
    assert second.due_state(today=second.window_end + datetime.timedelta(days=1)) == "overdue"
    give_infusion(participant, 1, user=coordinator)
    give_infusion(participant, 2, user=coordinator)
    second.refresh_from_db()
    assert second.due_state(today=second.window_end + datetime.timedelta(days=1)) == ""


@pytest.mark.parametrize("status", ["missed", "cancelled"])
def test_missed_and_cancelled_need_a_reason(coordinator, site_a, status):
    participant = treated_participant(user=coordinator, site=site_a)
    planned = participant.planned_infusions.get(sequence_number=1)
    with pytest.raises(ValidationError) as exc:
        services.planned_infusion_mark(planned=planned, status=status, reason=" ", user=coordinator)
    assert error_codes(exc, "status_reason") == ["missing"]
    assert PlannedInfusion.objects.get(pk=planned.pk).status == "planned"


def test_given_cannot_be_set_by_hand(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    planned = participant.planned_infusions.get(sequence_number=1)
    planned.status = "given"
    with pytest.raises(ValidationError) as exc:
        planned.full_clean()
    assert error_codes(exc, "status") == ["infusion_not_recorded"]
