"""The endpoint forms (quantitative CT, six-minute walk, lung function, mMRC) and the follow-up visit: their
rules on the model layer (so the ward, the admin and import refuse the same things, with codes on the
field), the database's own guards, the ward's form, and import through the admin."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from dosing.models import ProtocolDeviation
from outcomes.models import DyspnoeaGrade, FollowUpVisit, LungFunction, QuantitativeCt, SixMinuteWalk
from outcomes.visits import visit_statuses
from patients.casebook.saving import record_save
from patients.casebook.schedule import Visit, VisitForm
from patients.models import Participant
from tests.factories import (
    end_study,
    follow_up_after_discharge,
    follow_up_values,
    lung_function_values,
    mmrc_values,
    qct_values,
    record,
    treated_participant,
    walk_values,
)
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a, days_ago=40)


def refused(model, participant, values, user):
    with pytest.raises(ValidationError) as exc:
        record(model, participant, values, user=user)
    return exc


def test_ct_parts_are_not_above_the_whole(participant, coordinator):
    exc = refused(QuantitativeCt, participant, qct_values(participant, solid_percent=Decimal("13")), coordinator)
    assert error_codes(exc, "solid_percent") == ["part_above_whole"]
    exc = refused(
        QuantitativeCt,
        participant,
        qct_values(participant, solid_percent=Decimal("6"), ground_glass_percent=Decimal("7")),
        coordinator,
    )
    assert error_codes(exc, "ground_glass_percent") == ["parts_above_whole"]
    assert "add up to more than the whole lesion" in exc.value.message_dict["ground_glass_percent"][0]
    exc = refused(QuantitativeCt, participant, qct_values(participant, lesion_percent=Decimal("101")), coordinator)
    assert "lesion_percent" in exc.value.message_dict
    # Rounding by the reading software: parts may exceed the whole by 0.1.
    record(
        QuantitativeCt,
        participant,
        qct_values(participant, solid_percent=Decimal("3.2"), ground_glass_percent=Decimal("9.3")),
        user=coordinator,
    )


def test_the_database_refuses_a_part_above_the_whole_whatever_the_path(participant):
    # bulk_create skips clean(): the check constraint is what stops it.
    bypass = QuantitativeCt(participant=participant, **qct_values(participant, solid_percent=Decimal("50")))
    with pytest.raises(IntegrityError), transaction.atomic():
        QuantitativeCt.objects.bulk_create([bypass])


def test_a_walk_stopped_early_says_why_and_oxygen_says_its_flow(participant, coordinator):
    exc = refused(SixMinuteWalk, participant, walk_values(participant, stopped_early=True), coordinator)
    assert error_codes(exc, "stop_reason") == ["missing"]
    exc = refused(SixMinuteWalk, participant, walk_values(participant, oxygen_used=True), coordinator)
    assert error_codes(exc, "oxygen_flow_l_min") == ["missing"]
    exc = refused(SixMinuteWalk, participant, walk_values(participant, oxygen_flow_l_min=Decimal("2")), coordinator)
    assert error_codes(exc, "oxygen_flow_l_min") == ["not_applicable"]
    walk = record(
        SixMinuteWalk,
        participant,
        walk_values(
            participant,
            stopped_early=True,
            stop_reason="SpO2 below 85 %",
            oxygen_used=True,
            oxygen_flow_l_min=Decimal("2"),
        ),
        user=coordinator,
    )
    assert str(walk).endswith("420 m")


def test_lung_function_rules_and_the_derived_ratio(participant, coordinator):
    exc = refused(LungFunction, participant, lung_function_values(participant, fev1_l=Decimal("3.5")), coordinator)
    assert error_codes(exc, "fev1_l") == ["fev1_above_fvc"]
    exc = refused(LungFunction, participant, lung_function_values(participant, dlco_mmol_min_kpa=None), coordinator)
    assert error_codes(exc, "dlco_mmol_min_kpa") == ["missing"]
    exc = refused(LungFunction, participant, lung_function_values(participant, reference_equation=""), coordinator)
    assert error_codes(exc, "reference_equation") == ["missing"]
    exc = refused(LungFunction, participant, lung_function_values(participant, reference_equation="other"), coordinator)
    assert error_codes(exc, "reference_equation_other") == ["missing"]
    test = record(LungFunction, participant, lung_function_values(participant), user=coordinator)
    assert test.fev1_fvc_percent == Decimal("82.4")  # 2.80 / 3.40, never typed


def test_follow_up_contact_rules(participant, coordinator):
    exc = refused(FollowUpVisit, participant, follow_up_values(participant, readmitted="yes"), coordinator)
    assert error_codes(exc, "readmission_details") == ["missing"]
    exc = refused(FollowUpVisit, participant, follow_up_values(participant, vital_status="not_reached"), coordinator)
    assert set(exc.value.message_dict) == {"readmitted", "new_symptoms", "home_oxygen"}
    assert error_codes(exc, "home_oxygen") == ["not_reached"]
    record(
        FollowUpVisit,
        participant,
        follow_up_values(
            participant, vital_status="not_reached", readmitted="unknown", new_symptoms="unknown", home_oxygen=""
        ),
        user=coordinator,
    )
    # A contact is dated from study day 0, not from admission.
    exc = refused(
        FollowUpVisit,
        participant,
        follow_up_values(participant, on=participant.day0_date - datetime.timedelta(days=1)),
        coordinator,
    )
    assert error_codes(exc, "visit_date") == ["before_start"]


def test_one_record_per_day_with_a_message_on_the_date(participant, coordinator):
    record(DyspnoeaGrade, participant, mmrc_values(participant), user=coordinator)
    exc = refused(DyspnoeaGrade, participant, mmrc_values(participant, grade=2), coordinator)
    assert error_codes(exc, "assessment_date") == ["duplicate"]


def test_endpoints_are_accepted_months_after_discharge_only_when_the_design_follows_up(participant, coordinator):
    end_study(participant, user=coordinator, on=participant.day0_date + datetime.timedelta(days=10))
    day28 = participant.day0_date + datetime.timedelta(days=28)
    exc = refused(QuantitativeCt, participant, qct_values(participant, on=day28), coordinator)
    assert error_codes(exc, "scan_date") == ["after_follow_up"]


def test_the_ward_offers_an_endpoint_form_when_the_schedule_expects_it(client, clinician, coordinator, participant):
    follow_up_after_discharge()
    page = reverse("participant-detail", args=[participant.study_id])
    client.force_login(clinician)
    assert reverse("qct-new", args=[participant.study_id]) not in client.get(page).content.decode()
    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="qct")
    assert reverse("qct-new", args=[participant.study_id]) in client.get(page).content.decode()
    values = {k: v for k, v in qct_values(participant, on=participant.day0_date + datetime.timedelta(days=28)).items()}
    values["scan_date"] = values["scan_date"].isoformat()
    values["ground_glass_percent"] = "20"
    response = client.post(reverse("qct-new", args=[participant.study_id]), values)
    assert response.status_code == 200
    assert "cannot be above the whole lesion" in response.content.decode()
    assert not QuantitativeCt.objects.exists()
    values["ground_glass_percent"] = "9.2"
    response = client.post(reverse("qct-new", args=[participant.study_id]), values)
    assert response.status_code == 302
    assert QuantitativeCt.objects.get().lesion_percent == Decimal("12.4")


def test_import_through_the_admin_applies_the_same_rules(client, coordinator, participant):
    client.force_login(coordinator)
    header = (
        "study_id,visit,scan_date,lesion_percent,solid_percent,ground_glass_percent,software,reader,deviation_reason\n"
    )
    good = f"{participant.study_id},,{participant.day0_date},12.4,3.1,9.2,uAI 1.2,R01,\n"
    bad = f"{participant.study_id},,{participant.day0_date - datetime.timedelta(days=1)},12.4,13,9.2,uAI 1.2,R01,\n"
    file = io.BytesIO((header + good + bad).encode())
    file.name = "qct.csv"
    response = client.post(
        reverse("admin:outcomes_quantitativect_import"), {"import_file": file, "format": "0", "resource": "0"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "cannot be above the whole lesion" in text
    assert not QuantitativeCt.objects.exists()  # all or nothing


def test_done_for_a_visit_outside_its_window_needs_a_reason_and_records_a_deviation(participant, coordinator):
    follow_up_after_discharge()
    d28 = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=d28, crf_key="qct")
    late = participant.day0_date + datetime.timedelta(days=33)
    exc = refused(QuantitativeCt, participant, qct_values(participant, on=late, visit=d28), coordinator)
    assert error_codes(exc, "deviation_reason") == ["deviation_reason_required"]
    assert "Outside the visit's window" in exc.value.message_dict["deviation_reason"][0]
    scan = record(
        QuantitativeCt,
        participant,
        qct_values(participant, on=late, visit=d28, deviation_reason="Scanner down for a week"),
        user=coordinator,
    )
    deviation = ProtocolDeviation.objects.active().get(participant=participant)
    assert (deviation.category, deviation.visit, deviation.reason) == ("visit_window", d28, "Scanner down for a week")
    # It counts for day 28, though dated outside the window.
    d28_status = next(
        s for s in visit_statuses(Participant.objects.filter(pk=participant.pk))[participant.pk] if s.visit == d28
    )
    assert d28_status.state == "done"
    # Corrected into the window: the reason must go, and the deviation is voided with the correction.
    scan.scan_date = participant.day0_date + datetime.timedelta(days=29)
    with pytest.raises(ValidationError) as exc:
        scan.full_clean()
    assert error_codes(exc, "deviation_reason") == ["not_applicable"]
    scan.deviation_reason = ""
    record_save(scan, user=coordinator, reason="Date corrected from the scan report", validate=True)
    assert not ProtocolDeviation.objects.active().exists()


def test_a_record_is_done_only_for_a_visit_that_expects_its_form(participant, coordinator):
    d28 = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=d28, crf_key="six-minute-walk")
    exc = refused(QuantitativeCt, participant, qct_values(participant, visit=d28), coordinator)
    assert error_codes(exc, "visit") == ["form_not_at_visit"]
