"""Arm allocation: the single place that decides which arm a new participant joins, as the trial's design
(patients/casebook/design.py) says: the investigator's choice (phase 1, open, non-randomised) or the next slot
of the participant's stratum in the randomisation list (patients/randomisation/)."""

from django.core.exceptions import ValidationError

from patients.casebook.design import TrialDesign
from patients.casebook.rules import refusal
from patients.randomisation.services import slot_allocate


def investigator_assignment(*, requested_arm):
    """Parallel assignment, non-randomised: the arm the investigator chose."""
    if requested_arm is None:
        raise ValidationError(
            {"arm": ValidationError("Choose the arm: assignment in this trial is by the investigator.", code="missing")}
        )
    return requested_arm


def allocate_arm(*, participant, user, when, requested_arm=None):
    """Return the Arm for ``participant``, within the enrolment's transaction (a slot taken from the list is
    given back if the enrolment fails)."""
    if TrialDesign.current().randomised:
        if requested_arm is not None:
            raise refusal(
                "arm", "The arm is not chosen in this trial: the randomisation list allocates it.", "arm_chosen"
            )
        return slot_allocate(participant=participant, user=user, when=when).arm
    return investigator_assignment(requested_arm=requested_arm)
