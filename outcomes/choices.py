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
