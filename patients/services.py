"""Write operations of the enrolment app. Each is atomic, validates through ``full_clean()`` (so the
model-layer rules hold) and records who did it and why in the audit trail."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.allocation import allocate_arm
from patients.casebook.choices import ENROLLED_STATUSES, ParticipantStatus
from patients.casebook.lock import casebooks_held
from patients.casebook.rules import refusal
from patients.casebook.saving import prepare_save, record_save
from patients.choices import EndOfStudyReason
from patients.eligibility import current_criteria
from patients.models import (
    Arm,
    Consent,
    EligibilityAnswer,
    EndOfStudy,
    Participant,
    RandomisationSlot,
    Site,
    TrialDesign,
    Withdrawal,
)
from patients.signals import participant_enrolled


def _save(instance, *, user, reason: str) -> None:
    record_save(instance, user=user, reason=reason, validate=True)


@transaction.atomic
def participant_screen(*, site: Site, user, answers: Mapping[str, str], **fields) -> Participant:
    """Screen a person: create the participant (which issues the study ID) and the eligibility answers.

    An ineligible person is recorded as a screen failure with the reasons, so the screening log lists
    everyone screened.
    """
    participant = Participant(site=site, screened_by=user, **fields)
    _save(participant, user=user, reason="Screened")
    # The answers of the new casebook in one insert (a migrated archive screens a thousand people at once).
    criteria = current_criteria()  # read once for the person's answers, not once per answer
    with casebooks_held([participant.pk]):
        records = []
        for criterion, answer in answers.items():
            record = prepare_save(
                EligibilityAnswer(participant=participant, criterion=criterion, answer=answer),
                user=user,
                reason="Screened",
            )
            record.criteria = criteria
            record.checked_on_write = True
            try:
                record.full_clean()
            except ValidationError as exc:
                # Keyed by the criterion, so a form can show it on that question; the transaction rolls back.
                errors = [e for es in exc.update_error_dict({}).values() for e in es]
                raise ValidationError({criterion: errors}) from exc
            records.append(record)
        EligibilityAnswer.add_in_bulk(records)
    return participant_update_screening_outcome(participant=participant, user=user)


@transaction.atomic
def participant_update_screening_outcome(*, participant: Participant, user) -> Participant:
    """Set screening / screen failure from the current answers (after answers are entered or corrected)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status not in (ParticipantStatus.SCREENING, ParticipantStatus.SCREEN_FAILURE):
        return participant
    decision = participant.eligibility()
    status = ParticipantStatus.SCREEN_FAILURE if decision.reasons else ParticipantStatus.SCREENING
    reason_text = decision.summary if status == ParticipantStatus.SCREEN_FAILURE else ""
    if (participant.status, participant.screen_failure_reason) != (status, reason_text):
        participant.status = status
        participant.screen_failure_reason = reason_text
        _save(participant, user=user, reason=f"Screening outcome: {decision.summary}")
    return participant


@transaction.atomic
def consent_record(
    *,
    participant: Participant,
    user,
    consent_datetime: datetime.datetime,
    form_version: str,
    given_by: str,
    obtained_by=None,
    representative_relationship: str = "",
) -> Consent:
    consent = Consent(
        participant=participant,
        consent_datetime=consent_datetime,
        form_version=form_version,
        given_by=given_by,
        representative_relationship=representative_relationship,
        obtained_by=obtained_by or user,
    )
    _save(consent, user=user, reason="Consent recorded")
    return consent


@transaction.atomic
def participant_enrol(
    *, participant: Participant, user, requested_arm: Arm | None = None, enrolment_datetime=None
) -> Participant:
    """Enrol an eligible, consented person: allocate the arm (the investigator's ``requested_arm``, or the
    randomisation list's next slot) and fix study day 0.

    Raises ValidationError (on ``arm``, ``enrolment_datetime`` or the form as a whole) and saves nothing,
    and takes no slot, when the gate or the allocation refuses.
    """
    # Lock the row: two coordinators pressing "enrol" at once must not both allocate.
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    enrolment_datetime = enrolment_datetime or timezone.now()
    if participant.status in ENROLLED_STATUSES:
        # Not naming the arm: in a blinded trial this message reaches blinded users.
        raise refusal("arm", f"{participant.study_id} is already enrolled.", "already_enrolled")
    participant.enrolment_datetime = enrolment_datetime
    # The gate runs before allocation so that an ineligible person never consumes a randomisation slot.
    participant.arm = requested_arm
    participant.check_enrolment_gate()
    participant.arm = allocate_arm(
        participant=participant, requested_arm=requested_arm, user=user, when=enrolment_datetime
    )
    participant.day0_date = timezone.localdate(enrolment_datetime)
    participant.status = ParticipantStatus.ENROLLED
    participant.enrolled_by = user
    # The reason names no arm: the audit trail is read by blinded users.
    _save(participant, user=user, reason="Enrolled")
    # Apps above (dosing: the infusion schedule) act on the enrolment within this transaction.
    participant_enrolled.send(sender=Participant, participant=participant, user=user)
    return participant


def enrolled_message(participant: Participant) -> str:
    """What the user is told after enrolling: the randomisation number and treatment code when the list
    allocated, never the arm (the user may be blinded)."""
    slot = RandomisationSlot.objects.filter(participant=participant).first()
    if slot is None:
        return f"{participant.study_id} enrolled."
    code = f", treatment code {slot.treatment_code}" if slot.treatment_code else ""
    return f"{participant.study_id} enrolled: randomisation number {slot.number}{code}."


def participant_withdraw(
    *, participant: Participant, user, withdrawal_date: datetime.date, reason: str, details: str = ""
) -> Withdrawal:
    """Record a withdrawal; it ends follow-up."""
    withdrawal = Withdrawal(participant=participant, withdrawal_date=withdrawal_date, reason=reason, details=details)
    return withdrawal_record(withdrawal=withdrawal, user=user)


@transaction.atomic
def withdrawal_record(*, withdrawal: Withdrawal, user) -> Withdrawal:
    """Save a new withdrawal (built by a form or the admin) and move the participant to "withdrawn"."""
    participant = Participant.objects.select_for_update().get(pk=withdrawal.participant_id)
    if participant.status != ParticipantStatus.ENROLLED:
        raise refusal("participant", "Only a participant in follow-up can withdraw.", "not_in_follow_up")
    withdrawal.participant = participant
    withdrawal.recorded_by = user
    _save(withdrawal, user=user, reason="Withdrawal recorded")
    participant.status = ParticipantStatus.WITHDRAWN
    _save(participant, user=user, reason=f"Withdrawn: {withdrawal.get_reason_display()}")
    return withdrawal


@transaction.atomic
def end_of_study_record(*, end_of_study: EndOfStudy, user) -> EndOfStudy:
    """Save a new end of study (built by a form or the admin) and mark the participant completed."""
    participant = Participant.objects.select_for_update().get(pk=end_of_study.participant_id)
    end_of_study.participant = participant
    end_of_study.recorded_by = user
    if end_of_study.end_reason == EndOfStudyReason.DISCHARGED and TrialDesign.current().follow_up_after_discharge:
        # The hospital stay ended; follow-up goes on to the visits after discharge.
        _save(end_of_study, user=user, reason="Discharge recorded; follow-up continues")
        return end_of_study
    _save(end_of_study, user=user, reason="End of study recorded")
    participant.status = ParticipantStatus.COMPLETED
    _save(participant, user=user, reason=f"End of study: {end_of_study.get_end_reason_display()}")
    return end_of_study
