"""The trial's design, as data: open or blinded, how the arm is decided (investigator or randomisation
list), what the list is stratified by, and the arms with their allocation ratio and what each receives.

A database runs one trial, so the design is one row (``TrialDesign.current()``); a new trial is a new
database whose design a coordinator and an unblinded statistician set up in the admin. Once anyone is
enrolled the design is fixed: the analysis depends on it, so a change is refused rather than recorded.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.casebook import rules
from patients.casebook.choices import Allocation, StratificationFactor, Treatment

# The design every database starts with: phase 1 (open-label, arm chosen by the investigator).
PHASE1_DESIGN = {
    "code": "ucmsc-phase1",
    "title": "UC-MSC for COVID-19 pneumonia, phase 1 (open-label, non-randomised, controlled)",
    "blinded": False,
    "allocation": Allocation.INVESTIGATOR,
    "stratify_by_site": False,
    "stratification_factors": [],
    "follow_up_after_discharge": False,
    "baseline_window_days": 7,
}
DESIGN_FIELDS = (
    "blinded",
    "allocation",
    "stratify_by_site",
    "stratification_factors",
    "enrolled_levels",
    "follow_up_after_discharge",
    "baseline_window_days",
)


def enrolment_started() -> bool:
    """Whether anyone has been allocated an arm (enrolled): from then on the design is fixed."""
    return Arm.objects.filter(participants__isnull=False).exists()


class TrialDesign(models.Model):
    """The one design of this database's trial (primary key 1)."""

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    code = models.SlugField(max_length=40, help_text="Short name of the trial, e.g. ucmsc-phase2.")
    title = models.CharField(max_length=200)
    blinded = models.BooleanField(
        default=False,
        help_text="Double-blind: only users with the unblinded role see a participant's arm, anywhere.",
    )
    allocation = models.CharField(max_length=12, choices=Allocation.choices, default=Allocation.INVESTIGATOR)
    stratify_by_site = models.BooleanField(
        default=True, help_text="Randomisation list: a separate stratum (list) per site."
    )
    stratification_factors = models.JSONField(
        default=list,
        blank=True,
        help_text="Randomisation list: the enrolment factors each site's list is further split by.",
    )
    # The protocol's population by enrolment factor, e.g. {"severity": ["moderate", "severe"]}: enrolment refuses
    # another level, and the randomisation list has strata for these levels only. A factor not listed: any level.
    enrolled_levels = models.JSONField(
        "levels enrolled",
        default=dict,
        blank=True,
        help_text="Per enrolment factor, the levels the protocol enrols; a factor left out enrols every level.",
    )
    # Phase 1 ended each participant's follow-up at discharge; a later trial follows them for months after.
    follow_up_after_discharge = models.BooleanField(
        "follow-up continues after discharge",
        default=False,
        help_text=(
            "Discharge is then recorded on the end-of-study form as the end of the hospital stay, and follow-up "
            "goes on until the participant completes it, dies, is lost to follow-up or withdraws."
        ),
    )
    # The endpoints' baseline (outcomes/endpoints.py): the measurement nearest before study day 0, up to this many
    # days before (on day 0 itself counts: before the first infusion).
    baseline_window_days = models.PositiveSmallIntegerField(
        "baseline window (days before day 0)",
        default=7,
        validators=[MaxValueValidator(60)],
        help_text="An endpoint's baseline is its measurement nearest before study day 0 within this many days.",
    )
    # The dictionary the adverse events are coded in: SDTM's Define-XML names its version (ucmsc_crf/sdtm/).
    meddra_version = models.CharField(
        "MedDRA version",
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{1,2}\.[0-9]$", "A MedDRA version, e.g. 27.1.", code="meddra_version")],
        help_text="The MedDRA version the adverse events are coded in, e.g. 27.1 (named in the SDTM package).",
    )
    # Emergency unblinding (patients/unblinding.py).
    unblinding_by_investigator_alone = models.BooleanField(
        "investigator may unblind alone in an emergency",
        default=False,
        help_text="Otherwise a designated approver (permission 'approve unblinding') decides each request.",
    )
    unblinding_notify = models.TextField(
        "unblinding e-mails to",
        blank=True,
        help_text="Who is told of each request and decision (one address per line); the e-mail names no arm.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "trial design"
        default_permissions = ("add", "change", "view")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="patients_trialdesign_single_row"),
            models.CheckConstraint(
                condition=Q(allocation__in=Allocation.values), name="patients_trialdesign_allocation_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def current(cls) -> "TrialDesign":
        """The trial's design; phase 1's (unsaved) when the row is missing, as in a freshly flushed test
        database, so reading it never writes."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(**PHASE1_DESIGN)

    @property
    def randomised(self) -> bool:
        return self.allocation == Allocation.RANDOMISATION_LIST

    def stratifiers(self) -> list[str]:
        """What a stratum is keyed by, in a fixed order: the site first (when stratified by site), then the
        enrolment factors in the order StratificationFactor lists them."""
        factors = [f for f in StratificationFactor.values if f in (self.stratification_factors or [])]
        return (["site"] if self.stratify_by_site else []) + factors

    def enrols_level(self, factor: str, level: str) -> bool:
        """Whether the protocol enrols ``level`` of ``factor`` (every level of a factor it does not restrict)."""
        allowed = (self.enrolled_levels or {}).get(factor)
        return not allowed or level in allowed

    def clean(self):
        super().clean()
        errors = rules.RuleErrors()
        errors.check(rules.check_stratification_factors, factors=self.stratification_factors)
        errors.check(rules.check_enrolled_levels, levels=self.enrolled_levels)
        errors.check(rules.check_blinded_allocation, blinded=self.blinded, allocation=self.allocation)
        errors.check(
            rules.check_blinded_arms,
            blinded=self.blinded,
            arm_treatments={arm.name: arm.treatment for arm in Arm.objects.all()},
            field="blinded",
        )
        if not self._state.adding and enrolment_started():
            stored = type(self).objects.filter(pk=self.pk).values(*DESIGN_FIELDS).first() or {}
            for field in DESIGN_FIELDS:
                if field in stored and stored[field] != getattr(self, field):
                    errors.check(rules.check_design_not_started, field=field, started=True)
            was_alone = type(self).objects.filter(pk=self.pk).values_list("unblinding_by_investigator_alone", flat=True)
            errors.check(
                rules.check_unblinding_not_loosened,
                was_alone=bool(was_alone.first()),
                alone=self.unblinding_by_investigator_alone,
            )
        errors.raise_any()


class Arm(models.Model):
    """An arm of the design: what its participants receive, and its weight in the allocation ratio."""

    holds_allocation = True  # patients/casebook/blinding.py: hidden, and unreachable, when blinded

    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("code", None)

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=100, unique=True)
    treatment = models.CharField(
        max_length=8,
        choices=Treatment.choices,
        help_text="Placebo participants receive infusions like the active arm; the ward cannot tell them apart.",
    )
    ratio_weight = models.PositiveSmallIntegerField(
        "allocation ratio weight",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="This arm's share of the allocation ratio: 2 and 1 for a 2:1 trial.",
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        default_permissions = ("add", "change", "view")
        constraints = [
            models.CheckConstraint(condition=Q(treatment__in=Treatment.values), name="patients_arm_treatment_valid"),
            models.CheckConstraint(condition=Q(ratio_weight__gte=1), name="patients_arm_ratio_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def receives_infusions(self) -> bool:
        """Active product or placebo: the ward records this arm's infusions (it cannot tell which)."""
        return self.treatment != Treatment.NONE

    def clean(self):
        super().clean()
        errors = rules.RuleErrors()
        design = TrialDesign.current()
        errors.check(
            rules.check_blinded_arms,
            blinded=design.blinded,
            arm_treatments={self.name: self.treatment},
            field="treatment",
        )
        if enrolment_started():
            stored = None if self._state.adding else type(self).objects.filter(pk=self.pk).values().first()
            if stored is None:
                errors.check(rules.check_design_not_started, field="code", started=True, what="a new arm")
            else:
                for field in ("code", "treatment", "ratio_weight"):
                    if stored[field] != getattr(self, field):
                        errors.check(rules.check_design_not_started, field=field, started=True)
        errors.raise_any()
