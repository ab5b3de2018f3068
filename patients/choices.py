"""Coded values of the enrolment forms. The stored value is the code exported to statisticians. (Those the
casebook framework and the trial set-up share with every app are in patients/casebook/choices.py.)"""

from django.db import models


class UnblindingStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class ListSource(models.TextChoices):
    GENERATED = "generated", "Generated in the app"
    IMPORTED = "imported", "Imported from the statistician's file"


class ConsentGiver(models.TextChoices):
    PARTICIPANT = "participant", "Participant"
    LEGAL_REPRESENTATIVE = "legal_representative", "Legal representative"


class WithdrawalReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", "Participant withdrew consent"
    INVESTIGATOR_DECISION = "investigator_decision", "Investigator decision (safety)"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", "Lost to follow-up"
    TRANSFERRED = "transferred", "Transferred to another hospital"
    OTHER = "other", "Other (give details)"


class YesNoUnknown(models.TextChoices):
    """For history items: "unknown" is kept apart from "no" and exported as its own code."""

    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class EndOfStudyReason(models.TextChoices):
    """How follow-up ended other than by withdrawal (a withdrawal has its own record). In a design that
    follows participants after discharge (TrialDesign.follow_up_after_discharge), "discharged" records the
    end of the hospital stay only, and a second record (completed, died, lost, transferred) ends follow-up."""

    DISCHARGED = "discharged", "Discharged from hospital"
    DIED = "died", "Died"
    TRANSFERRED = "transferred", "Transferred to another hospital"
    COMPLETED = "completed", "Completed follow-up"
    LOST = "lost", "Lost to follow-up"


# Reasons that only a design with follow-up after discharge has: phase 1's follow-up ended in hospital.


AFTER_DISCHARGE_REASONS = (EndOfStudyReason.COMPLETED, EndOfStudyReason.LOST)
