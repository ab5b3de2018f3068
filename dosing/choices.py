from django.db import models


class PlannedInfusionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    GIVEN = "given", "Given"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class Route(models.TextChoices):
    INTRAVENOUS = "iv", "Intravenous"


class EcgResult(models.TextChoices):
    NORMAL = "normal", "Normal"
    ABNORMAL = "abnormal", "Abnormal"
    NOT_DONE = "not_done", "Not done"


class DeviationCategory(models.TextChoices):
    INFUSION_WINDOW = "infusion_window", "Infusion outside the planned window"
    DOSE = "dose", "Dose outside the accepted range"
    VIABILITY = "viability", "Cell viability below the release minimum"
    MISSED_INFUSION = "missed_infusion", "Planned infusion missed"
    MISSED_VISIT = "missed_visit", "Scheduled visit missed"
    VISIT_WINDOW = "visit_window", "Visit outside its window"
    OTHER = "other", "Other"
