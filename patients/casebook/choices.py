"""Coded values the casebook framework and the trial's set-up know: roles, review and query states, the
signature's meaning, the design's allocation, factors and treatments, the participant's status and the
enrolment factors' levels. The enrolment app's own forms have theirs in patients/choices.py. The stored value
is the code exported to statisticians."""

from django.db import models


class Role(models.TextChoices):
    """The trial's roles: each is an auth group of that name (patients/roles.py says what each may do)."""

    CLINICIAN = "Clinician"
    COORDINATOR = "Coordinator"
    MONITOR = "Monitor"
    STATISTICIAN = "Statistician"
    # Sees allocation in a blinded trial: generates or imports the randomisation list, sets up the arms.
    UNBLINDED_STATISTICIAN = "Unblinded statistician"
    # Prepares and releases each kit (active or placebo) in a blinded trial; sees allocation to do so.
    PHARMACIST = "Pharmacist"
    # The data and safety monitoring board: the closed report, by arm, over every site.
    DSMB_MEMBER = "DSMB member"
    # Decides emergency unblinding requests at their sites; given beside another role (a monitor, a
    # principal investigator), not picked as a permission among 200 (issue 29, 7).
    UNBLINDING_APPROVER = "Unblinding approver"


class Allocation(models.TextChoices):
    """How a participant's arm is decided at enrolment."""

    INVESTIGATOR = "investigator", "By the investigator (non-randomised)"
    RANDOMISATION_LIST = "list", "By the randomisation list"


class StratificationFactor(models.TextChoices):
    """Enrolment factors a randomisation list may be stratified by: each is a participant field with coded
    levels, known at screening, before allocation."""

    SEVERITY = "severity", "COVID-19 severity at enrolment"
    SEX = "sex", "Sex"


class Treatment(models.TextChoices):
    """What an arm's participants receive on the arm's regimen."""

    ACTIVE = "active", "Active product (UC-MSC)"
    PLACEBO = "placebo", "Placebo"
    NONE = "none", "Nothing (conventional treatment only)"


# Treatments given as infusions: the ward records them the same way, whichever it is.
INFUSED_TREATMENTS = (Treatment.ACTIVE, Treatment.PLACEBO)


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


class Severity(models.TextChoices):
    """COVID-19 severity per the China national guideline (diagnosis and treatment protocol)."""

    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    CRITICAL = "critical", "Critical"


# The coded levels of each enrolment factor: the participant field of the same name holds one of them.
FACTOR_LEVELS = {StratificationFactor.SEVERITY: Severity, StratificationFactor.SEX: Sex}


SEVERITY_HELP_TEXT = (
    "COVID-19 severity at enrolment per the national guideline. "
    "Mild: mild symptoms, no pneumonia on imaging. "
    "Moderate: fever and respiratory symptoms with pneumonia on imaging. "
    "Severe: any of respiratory rate >= 30/min, SpO2 <= 93 % at rest, or PaO2/FiO2 <= 300 mmHg. "
    "Critical: respiratory failure needing mechanical ventilation, shock, or organ failure needing ICU care."
)


class ParticipantStatus(models.TextChoices):
    SCREENING = "screening", "Screening"
    SCREEN_FAILURE = "screen_failure", "Screen failure"
    ENROLLED = "enrolled", "Enrolled"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Statuses in which the participant has an arm and a study day 0.
ENROLLED_STATUSES = (ParticipantStatus.ENROLLED, ParticipantStatus.COMPLETED, ParticipantStatus.WITHDRAWN)


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class CriterionKind(models.TextChoices):
    INCLUSION = "inclusion", "Inclusion"
    EXCLUSION = "exclusion", "Exclusion"


class QueryStatus(models.TextChoices):
    """The data-management side: open until the raiser closes it."""

    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class QuerySiteStatus(models.TextChoices):
    """The site side: awaiting the site's answer, or answered."""

    AWAITING = "awaiting", "Awaiting site answer"
    ANSWERED = "answered", "Answered by site"


class SignatureMeaning(models.TextChoices):
    COMPLETE_AND_ACCURATE = "complete_accurate", "I confirm the data are complete and accurate"


class ReviewStatus(models.TextChoices):
    """Where a case report form record is in review. It moves only through the transitions of
    patients/casebook/review.py (who may make each is there too); editing a verified record sends it back to
    submitted, and a locked record cannot be edited at all."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    VERIFIED = "verified", "Verified (SDV)"
    LOCKED = "locked", "Locked"
