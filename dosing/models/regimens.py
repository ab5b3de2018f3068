"""The dosing regimen (data: dose, number of infusions, interval, window, safe gap) and which arm receives it."""

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from dosing import rules
from patients.models import Arm, Participant

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Regimen(models.Model):
    """How the product is given. A new regimen (phase 2: another dose) is a new row, never an edit of a
    regimen participants were dosed under."""

    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("code", None)

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    number_of_infusions = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    interval_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Days between planned infusions (3: days 0, 3, 6)."
    )
    window_days = models.PositiveSmallIntegerField(
        help_text="Days either side of each planned date within which an infusion is on protocol."
    )
    min_gap_hours = models.PositiveSmallIntegerField(
        help_text="Hard floor: hours from the end of one infusion to the start of the next."
    )
    nominal_cells_millions = models.DecimalField(
        "nominal dose (x 10^6 cells)", max_digits=7, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    dose_tolerance_percent = models.DecimalField(
        "accepted dose deviation (%)", max_digits=4, decimal_places=1, validators=PERCENT
    )
    min_viability_percent = models.DecimalField(
        "minimum cell viability at release (%)", max_digits=4, decimal_places=1, validators=PERCENT
    )
    max_duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Longest plausible infusion, in minutes."
    )
    use_within_hours = models.PositiveSmallIntegerField(
        "use within (hours)",
        default=6,
        validators=[MinValueValidator(1)],
        help_text="A kit prepared by the pharmacy is used within this many hours of preparation (cells do not keep).",
    )

    # What each kit holds besides the cells (issue 29, 7: phase 2's 100 mL was never recorded nor checked).
    volume_ml = models.DecimalField(
        "infusion volume (mL)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="The volume of each kit, active or placebo; a kit prepared off it (beyond the tolerance) is refused.",
    )
    volume_tolerance_ml = models.DecimalField(
        "accepted volume deviation (mL)",
        max_digits=4,
        decimal_places=1,
        default=Decimal("5.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    product_description = models.TextField(
        blank=True, help_text="The active product as prepared, e.g. UC-MSCs suspended in 100 mL saline with 1% albumin."
    )
    # Labelled "comparator": the arms' names and treatments never appear on a blinded user's page (the
    # blinded walk's oracle), and the regimen's page is read by blinded coordinators and monitors.
    placebo_description = models.TextField(
        "comparator description",
        blank=True,
        help_text="The comparator as prepared, e.g. 100 mL saline with 1% albumin, in the same bag and label as "
        "the product.",
    )

    history = HistoricalRecords()

    class Meta:
        default_permissions = ("add", "change", "view")
        constraints = [
            models.CheckConstraint(condition=Q(number_of_infusions__gte=1), name="dosing_regimen_infusions_min"),
            models.CheckConstraint(
                condition=Q(volume_ml__isnull=True) | Q(volume_ml__gt=0), name="dosing_regimen_volume_positive"
            ),
            models.CheckConstraint(condition=Q(interval_days__gte=1), name="dosing_regimen_interval_min"),
            models.CheckConstraint(condition=Q(nominal_cells_millions__gt=0), name="dosing_regimen_dose_positive"),
            models.CheckConstraint(
                condition=Q(dose_tolerance_percent__gte=0, dose_tolerance_percent__lte=100),
                name="dosing_regimen_tolerance_range",
            ),
            models.CheckConstraint(
                condition=Q(min_viability_percent__gte=0, min_viability_percent__lte=100),
                name="dosing_regimen_viability_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def min_gap(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.min_gap_hours)

    @property
    def max_duration(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.max_duration_minutes)

    def planned_date(self, day0: datetime.date, sequence_number: int) -> datetime.date:
        return rules.planned_date(day0=day0, sequence_number=sequence_number, interval_days=self.interval_days)


class ArmRegimen(models.Model):
    """The regimen an arm that receives product is dosed under (the arm lives in patients, below dosing)."""

    holds_allocation = True  # which arm gets which regimen (patients/casebook/blinding.py)

    arm = models.OneToOneField(Arm, on_delete=models.PROTECT, related_name="regimen_link")
    regimen = models.ForeignKey(Regimen, on_delete=models.PROTECT, related_name="arm_links")

    history = HistoricalRecords()

    class Meta:
        default_permissions = ("add", "change", "view")

    def __str__(self):
        return f"{self.arm}: {self.regimen}"

    def clean(self):
        if self.arm_id:
            rules.check_regimen_arm(arm_label=str(self.arm), receives_infusions=self.arm.receives_infusions)


def regimen_for(participant: Participant) -> Regimen | None:
    link = ArmRegimen.objects.select_related("regimen").filter(arm_id=participant.arm_id).first()
    return link.regimen if link else None
