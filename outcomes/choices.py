from django.db import models


class OxygenSupport(models.TextChoices):
    """Highest level of respiratory support that day, in increasing order."""

    ROOM_AIR = "room_air", "Room air"
    LOW_FLOW = "low_flow", "Low-flow oxygen (nasal cannula / mask)"
    HIGH_FLOW = "high_flow", "High-flow nasal cannula"
    NIV = "niv", "Non-invasive ventilation"
    IMV = "imv", "Invasive mechanical ventilation"
    ECMO = "ecmo", "ECMO"


# WHO clinical progression scale scores compatible with each support level (10 = dead fits any).
# WHO Working Group, Lancet Infect Dis 2020: 4 hospitalised, no oxygen; 5 oxygen by mask or nasal prongs;
# 6 NIV or high-flow; 7-9 intubated (9 includes ECMO).
WHO_SCORES_BY_SUPPORT = {
    OxygenSupport.ROOM_AIR: range(1, 5),
    OxygenSupport.LOW_FLOW: range(5, 6),
    OxygenSupport.HIGH_FLOW: range(6, 7),
    OxygenSupport.NIV: range(6, 7),
    OxygenSupport.IMV: range(7, 10),
    OxygenSupport.ECMO: range(9, 10),
}
# Flow (L/min) applies to these, within these plausible bounds.
FLOW_RANGE_BY_SUPPORT = {OxygenSupport.LOW_FLOW: (0.5, 15), OxygenSupport.HIGH_FLOW: (10, 80)}


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
