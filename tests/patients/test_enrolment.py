"""Screening, consent and the enrolment gate, through the services a form or the admin calls."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients import services
from patients.casebook.choices import ParticipantStatus
from patients.choices import WithdrawalReason
from patients.models import Arm, Participant
from tests.factories import consent, eligible_answers, enrolled_participant, screened_participant
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


def ucmsc():
    return Arm.objects.get(code="ucmsc")


def test_eligible_person_stays_in_screening_until_enrolled(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    assert participant.status == ParticipantStatus.SCREENING
    assert participant.eligibility().eligible
    assert participant.arm is None and participant.day0_date is None


def test_ineligible_person_is_a_screen_failure_with_reason_in_the_log(coordinator, site_a):
    participant = screened_participant(
        user=coordinator, site=site_a, answers={**eligible_answers(), "exc_pregnancy": "yes"}
    )
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.SCREEN_FAILURE
    assert "Pregnant or lactating" in participant.screen_failure_reason
    # The screening log lists everyone screened, eligible or not.
    screening_log = Participant.objects.filter(site=site_a).values_list("study_id", "status")
    assert (participant.study_id, "screen_failure") in list(screening_log)


def test_enrolment_fixes_arm_day0_and_status(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator)
    when = timezone.now() - datetime.timedelta(hours=1)
    enrolled = services.participant_enrol(
        participant=participant, user=coordinator, requested_arm=ucmsc(), enrolment_datetime=when
    )
    enrolled.refresh_from_db()
    assert enrolled.status == ParticipantStatus.ENROLLED
    assert enrolled.arm.code == "ucmsc"
    assert enrolled.day0_date == timezone.localdate(when)
    assert enrolled.enrolled_by == coordinator
    assert enrolled.study_day(enrolled.day0_date + datetime.timedelta(days=3)) == 3


def _assert_nothing_saved(participant):
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.SCREENING
    assert participant.arm_id is None and participant.day0_date is None and participant.enrolment_datetime is None


def test_enrolment_of_ineligible_person_is_refused_on_arm_and_saves_nothing(coordinator, site_a):
    participant = screened_participant(
        user=coordinator, site=site_a, answers={**eligible_answers(), "exc_other_trial": "yes"}
    )
    consent(participant, user=coordinator)
    history_before = participant.history.count()
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(participant=participant, user=coordinator, requested_arm=ucmsc())
    assert error_codes(exc, "arm") == ["ineligible"]
    assert any("another interventional trial" in reason for reason in participant.eligibility().reasons)
    participant.refresh_from_db()
    assert participant.arm_id is None
    assert participant.history.count() == history_before


def test_enrolment_without_consent_is_refused_on_arm(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(participant=participant, user=coordinator, requested_arm=ucmsc())
    assert error_codes(exc, "arm") == ["no_consent"]
    _assert_nothing_saved(participant)


def test_enrolment_before_consent_time_is_refused_on_enrolment_datetime(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator, when=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(
            participant=participant,
            user=coordinator,
            requested_arm=ucmsc(),
            enrolment_datetime=timezone.now() - datetime.timedelta(hours=2),
        )
    assert error_codes(exc, "enrolment_datetime") == ["before_consent"]
    _assert_nothing_saved(participant)


def test_enrolment_before_admission_is_refused(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a, admission_date=timezone.localdate())
    consent(participant, user=coordinator, when=timezone.now() - datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(
            participant=participant,
            user=coordinator,
            requested_arm=ucmsc(),
            enrolment_datetime=timezone.now() - datetime.timedelta(days=2),
        )
    assert error_codes(exc, "enrolment_datetime") == ["before_admission"]
    _assert_nothing_saved(participant)


def test_enrolment_in_future_is_refused(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator)
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(
            participant=participant,
            user=coordinator,
            requested_arm=ucmsc(),
            enrolment_datetime=timezone.now() + datetime.timedelta(days=1),
        )
    assert error_codes(exc, "enrolment_datetime") == ["in_future"]
    _assert_nothing_saved(participant)


def test_a_participant_is_enrolled_once_and_the_arm_never_changes(coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a, arm_code="ucmsc")
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(
            participant=participant, user=coordinator, requested_arm=Arm.objects.get(code="control")
        )
    assert error_codes(exc, "arm") == ["already_enrolled"]
    participant.arm = Arm.objects.get(code="control")
    with pytest.raises(ValidationError) as exc:
        participant.full_clean()
    assert error_codes(exc, "arm") == ["arm_fixed"]


def test_withdrawal_ends_follow_up(coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a)
    services.participant_withdraw(
        participant=participant,
        user=coordinator,
        withdrawal_date=timezone.localdate(),
        reason=WithdrawalReason.CONSENT_WITHDRAWN,
    )
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.WITHDRAWN
    assert participant.current_study_day is None


def test_withdrawal_before_enrolment_is_refused(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    with pytest.raises(ValidationError) as exc:
        services.participant_withdraw(
            participant=participant, user=coordinator, withdrawal_date=timezone.localdate(), reason="other", details="x"
        )
    assert "participant" in exc.value.message_dict
    assert not participant.withdrawals.exists()


def test_legal_representative_consent_needs_relationship(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            participant=participant,
            user=coordinator,
            consent_datetime=timezone.now(),
            form_version="1.0",
            given_by="legal_representative",
        )
    assert "representative_relationship" in exc.value.message_dict
