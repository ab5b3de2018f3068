from django.db import models


class OxygenSupport(models.TextChoices):
    """Highest level of respiratory support that day, in increasing order."""

    ROOM_AIR = "room_air", "Room air"
    LOW_FLOW = "low_flow", "Low-flow oxygen (nasal cannula / mask)"
    HIGH_FLOW = "high_flow", "High-flow nasal cannula"
    NIV = "niv", "Non-invasive ventilation"
    IMV = "imv", "Invasive mechanical ventilation"
    ECMO = "ecmo", "ECMO"


class SymptomState(models.TextChoices):
    """Kept apart from "no": a symptom not assessed is missing data, never absent."""

    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class FindingState(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"


class CtComparison(models.TextChoices):
    FIRST_SCAN = "first", "First scan (nothing to compare)"
    IMPROVED = "improved", "Improved"
    UNCHANGED = "unchanged", "Unchanged"
    WORSE = "worse", "Worse"


class AnalyteGroup(models.TextChoices):
    BLOOD_COUNT = "blood_count", "Blood count"
    CHEMISTRY = "chemistry", "Inflammation and chemistry"
    CYTOKINE = "cytokine", "Cytokines"
    SEROLOGY = "serology", "SARS-CoV-2 antibodies"


class DetectionLimit(models.TextChoices):
    WITHIN = "", "Within the measurable range"
    BELOW = "below", "Below the limit of detection"
    ABOVE = "above", "Above the upper limit"


class Grade(models.IntegerChoices):
    """CTCAE grade."""

    MILD = 1, "1 Mild"
    MODERATE = 2, "2 Moderate"
    SEVERE = 3, "3 Severe"
    LIFE_THREATENING = 4, "4 Life-threatening"
    DEATH = 5, "5 Death"


class Relation(models.TextChoices):
    NOT_RELATED = "not_related", "Not related"
    UNLIKELY = "unlikely", "Unlikely"
    POSSIBLE = "possible", "Possible"
    PROBABLE = "probable", "Probable"
    DEFINITE = "definite", "Definite"


class Expectedness(models.TextChoices):
    EXPECTED = "expected", "Expected"
    UNEXPECTED = "unexpected", "Unexpected"


class ActionTaken(models.TextChoices):
    NONE = "none", "None"
    INTERRUPTED = "interrupted", "Infusion interrupted"
    DISCONTINUED = "discontinued", "Product permanently discontinued"
    NOT_APPLICABLE = "not_applicable", "Not applicable (no product given)"


class AeOutcome(models.TextChoices):
    RECOVERED = "recovered", "Recovered"
    RECOVERING = "recovering", "Recovering"
    NOT_RECOVERED = "not_recovered", "Not recovered"
    SEQUELAE = "sequelae", "Recovered with sequelae"
    FATAL = "fatal", "Fatal"
    UNKNOWN = "unknown", "Unknown"


SERIOUSNESS_CRITERIA = (
    ("serious_death", "Results in death"),
    ("serious_life_threatening", "Life-threatening"),
    ("serious_hospitalisation", "Requires or prolongs hospitalisation"),
    ("serious_disability", "Persistent or significant disability"),
    ("serious_congenital_anomaly", "Congenital anomaly"),
    ("serious_important_medical_event", "Important medical event"),
)


class ReferenceEquation(models.TextChoices):
    """The reference equations a lung-function laboratory's % predicted values come from."""

    GLI_2012 = "gli2012", "GLI-2012 (spirometry)"
    GLI_2017 = "gli2017", "GLI-2017 (transfer factor)"
    ECSC_1993 = "ecsc1993", "ECSC 1993"
    ZHENG_2006 = "zheng2006", "Chinese reference values (Zheng 2006)"
    OTHER = "other", "Other (name it)"


class Mmrc(models.IntegerChoices):
    """Modified Medical Research Council dyspnoea scale."""

    GRADE_0 = 0, "0 Breathless only with strenuous exercise"
    GRADE_1 = 1, "1 Short of breath hurrying on the level or walking up a slight hill"
    GRADE_2 = 2, "2 Walks slower than people of the same age because of breathlessness, or stops for breath"
    GRADE_3 = 3, "3 Stops for breath after about 100 m or a few minutes on the level"
    GRADE_4 = 4, "4 Too breathless to leave the house, or breathless when dressing"


class VitalStatus(models.TextChoices):
    """At a follow-up contact. A death is recorded once, on the end-of-study form (reason: died), which ends
    follow-up, so no contact after it is expected or accepted."""

    ALIVE = "alive", "Alive (seen or spoken to)"
    NOT_REACHED = "not_reached", "Not reached (vital status unknown)"


class HomeOxygen(models.TextChoices):
    NONE = "none", "None"
    EXERTION = "exertion", "On exertion only"
    NIGHT = "night", "At night only"
    CONTINUOUS = "continuous", "Continuous (long-term)"


class MissedVisitReason(models.TextChoices):
    NOT_REACHED = "not_reached", "Participant could not be reached"
    DECLINED = "declined", "Participant declined the visit"
    TOO_UNWELL = "too_unwell", "Too unwell to attend"
    ELSEWHERE = "elsewhere", "In another hospital or facility"
    LOGISTICS = "logistics", "Site logistics (staff, equipment, closure)"
    OTHER = "other", "Other"


class VisitState(models.TextChoices):
    NOT_YET_DUE = "not_yet_due", "Not yet due"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"
    NOT_REQUIRED = "not_required", "Not required"


class FormState(models.TextChoices):
    ENTERED = "entered", "Entered"
    REQUIRED = "required", "Required"
    OPTIONAL = "optional", "Optional"
    NOT_REQUIRED = "not_required", "Not required"
