"""Study IDs and the database-level invariants: what holds even when the model layer is bypassed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from patients.casebook.saving import record_save
from patients.models import Arm, Participant, Site
from tests.factories import ParticipantFactory, SiteFactory, consent, enrolled_participant, screened_participant
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


def test_study_id_is_site_code_and_sequence_per_site(site_a, site_b):
    a1, a2 = ParticipantFactory(site=site_a), ParticipantFactory(site=site_a)
    b1 = ParticipantFactory(site=site_b)
    assert [a1.study_id, a2.study_id, b1.study_id] == ["01-001", "01-002", "02-001"]


def test_study_id_is_not_reused_after_a_record_is_voided(site_a, coordinator):
    first = ParticipantFactory(site=site_a)
    first.void(reason="Duplicate screening entry", user=coordinator)
    assert ParticipantFactory(site=site_a).study_id == "01-002"
    assert Participant.objects.filter(study_id="01-001", voided=True).exists()


def test_study_id_and_site_never_change(site_a, site_b):
    participant = ParticipantFactory(site=site_a)
    participant.study_id = "01-999"
    with pytest.raises(ValidationError):
        record_save(participant, user=None, reason="typo")
    participant.refresh_from_db()
    participant.site = site_b
    with pytest.raises(ValidationError):
        record_save(participant, user=None, reason="moved")
    assert Participant.objects.get(pk=participant.pk).study_id == "01-001"


def test_study_id_is_not_an_editable_form_field():
    assert not Participant._meta.get_field("study_id").editable
    assert not Participant._meta.get_field("arm").editable


def test_derived_age_and_bmi(coordinator, site_a):
    participant = enrolled_participant(
        user=coordinator, site=site_a, weight_kg=Decimal("70.0"), height_cm=Decimal("175.0")
    )
    assert participant.bmi == Decimal("22.9")
    today = participant.day0_date
    expected = today.year - 1970 - ((today.month, today.day) < (5, 17))
    assert participant.age_at_enrolment == expected


def test_full_clean_refuses_future_admission_on_its_field(site_a):
    participant = ParticipantFactory.build(
        site=site_a, admission_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as exc:
        participant.full_clean()
    assert error_codes(exc, "admission_date") == ["in_future"]


def test_full_clean_refuses_implausible_weight(site_a):
    participant = ParticipantFactory.build(site=site_a, weight_kg=Decimal("900"))
    with pytest.raises(ValidationError) as exc:
        participant.full_clean()
    assert "weight_kg" in exc.value.message_dict


def _raw_create(**overrides):
    """Insert bypassing full_clean(), as a buggy import or script would."""
    fields = {"site": Site.objects.get(code="01"), **overrides}
    with transaction.atomic():
        return ParticipantFactory(**fields)


@pytest.mark.parametrize(
    "overrides",
    [
        {"sex": "X"},
        {"severity": "terrible"},
        {"weight_kg": Decimal("5")},
        {"admission_date": datetime.date(1960, 1, 1), "date_of_birth": datetime.date(1970, 1, 1)},
        {"admission_date": timezone.localdate() + datetime.timedelta(days=5)},
        {"status": "enrolled"},
    ],
    ids=["sex", "severity", "weight", "admitted-before-birth", "future-admission", "enrolled-without-arm"],
)
def test_database_refuses_invalid_participant_rows(site_a, overrides):
    with pytest.raises(IntegrityError):
        _raw_create(**overrides)


def test_database_refuses_enrolment_without_prior_consent(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    participant.arm = Arm.objects.get(code="ucmsc")
    participant.status = "enrolled"
    participant.enrolment_datetime = timezone.now()
    participant.day0_date = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        # Saved without full_clean(): only the database stands in the way.
        record_save(participant, user=None, reason="raw enrolment, bypassing the gate")


def test_database_accepts_enrolment_after_consent(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator)
    participant.arm = Arm.objects.get(code="ucmsc")
    participant.status = "enrolled"
    participant.enrolment_datetime = timezone.now()
    participant.day0_date = timezone.localdate()
    record_save(participant, user=None, reason="enrol")
    assert Participant.objects.get(pk=participant.pk).status == "enrolled"


def test_site_codes_are_validated():
    with pytest.raises(ValidationError) as exc:
        SiteFactory.build(code="a-1").full_clean()
    assert "code" in exc.value.message_dict
