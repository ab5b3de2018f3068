"""The phase 2/3 endpoint forms: quantitative chest CT, six-minute walk, lung function and the mMRC dyspnoea
grade. Each is one record per participant and date; the visit it belongs to is the one whose window holds
the date (outcomes/visits.py), and its change from baseline is derived (outcomes/endpoints.py), never typed.

A baseline measurement may precede study day 0 (within the hospital stay), so these accept dates from
hospital admission; nothing is dated after the end of follow-up, which in a design that follows
participants after discharge is months later (Participant.follow_up_end_date)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from outcomes import endpoint_rules
from outcomes.choices import Mmrc, ReferenceEquation
from outcomes.deviations import record_window_deviation
from outcomes.endpoint_rules import check_deviation_reason, check_visit_expects
from outcomes.visits import Window, visit_windows
from patients.casebook.records import ParticipantRecordQuerySet, participant_link
from patients.casebook.registry import registry
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.rules import RuleErrors, check_not_recorded_yet, check_within_follow_up
from patients.casebook.saving import context_of
from patients.casebook.schedule import Visit

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def percent_field(label: str, **kwargs):
    return models.DecimalField(label, max_digits=4, decimal_places=1, validators=PERCENT, **kwargs)


class EndpointRecord(CaseReportForm):
    """What the endpoint forms share: one record per participant and date (``date_field``), dated from
    hospital admission to the end of follow-up; optionally the visit of the schedule it was done for.

    Done for a visit but outside that visit's window is a soft rule, as an infusion out of its window: saved
    with a deviation reason, which records a protocol deviation ("visit outside its window") with it, on
    every path (form, admin, import)."""

    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
    )
    deviation_reason = models.TextField(
        blank=True, help_text="Required when done for a visit outside its window: why (kept as a protocol deviation)."
    )

    date_field = ""
    date_label = ""  # "A walk test", as the duplicate message says it
    # The earliest date: hospital admission (a baseline may precede day 0) or study day 0.
    from_day0 = False

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta(CaseReportForm.Meta):
        abstract = True

    def record_date(self):
        return getattr(self, self.date_field)

    def clean_endpoint(self) -> RuleErrors:
        """The date rules; a subclass adds its own to the returned errors and raises them."""
        errors = RuleErrors()
        participant = self.participant_for_rules()
        on = self.record_date()
        if participant is None or on is None:
            return errors
        errors.check(
            check_within_follow_up,
            field=self.date_field,
            on=on,
            earliest=participant.day0_date if self.from_day0 else participant.admission_date,
            earliest_label="enrolment (study day 0)" if self.from_day0 else "hospital admission",
            follow_up_end=participant.follow_up_end_date(),
            now=timezone.now(),
        )
        if self.date_field not in errors:
            errors.check(
                check_not_recorded_yet,
                record=self,
                field=self.date_field,
                label=f"{self.date_label} on {on}",
                **{self.date_field: on},
            )
        if self.visit_id is not None:
            errors.check(self._check_visit, participant=participant, on=on)
        else:
            errors.check(check_deviation_reason, out_of_window=None, reason=self.deviation_reason)
        return errors

    def crf_key(self) -> str:
        return registry.for_model(type(self)).key

    def out_of_window(self, participant=None, on=None) -> Window | None:
        """The visit's window when this record, done for that visit, is dated outside it; else None."""
        participant = participant or self.participant
        on = on or self.record_date()
        if self.visit_id is None or on is None:
            return None
        window = visit_windows([participant.pk], [self.visit]).get(participant.pk, {}).get(self.visit.code)
        return window if window is not None and on not in window else None

    def _check_visit(self, *, participant, on) -> None:
        check_visit_expects(
            visit_label=self.visit.label,
            expected=list(self.visit.expected_forms.values_list("crf_key", flat=True)),
            key=self.crf_key(),
        )
        check_deviation_reason(out_of_window=self.out_of_window(participant, on), reason=self.deviation_reason)

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            if not self.voided:
                # Here rather than in a service, so that every path (form, admin, import) records it.
                record_window_deviation(self, user=context_of(self).user)


def _one_per_day(model_name: str, date_field: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["participant", date_field], condition=Q(voided=False), name=f"outcomes_{model_name}_one_per_day"
    )


def _percent_range(model_name: str, *fields: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__gte": 0, f"{name}__lte": 100}) | Q(**{f"{name}__isnull": True}),
            name=f"outcomes_{model_name}_{name}_range",
        )
        for name in fields
    ]


class QuantitativeCt(EndpointRecord):
    """Whole-lung lesion volume as a percentage of lung volume, with its solid and ground-glass parts, as the
    reading software measured it."""

    participant = participant_link("quantitative_cts")
    scan_date = models.DateField()
    lesion_percent = percent_field("whole-lung lesion (% of lung volume)")
    solid_percent = percent_field("solid component (% of lung volume)")
    ground_glass_percent = percent_field("ground-glass component (% of lung volume)")
    software = models.CharField("reading software", max_length=100, help_text="Name and version.")
    reader = models.CharField(max_length=100, help_text="The reader's initials or study code (no names).")

    natural_key_fields = ("scan_date",)
    date_field, date_label = "scan_date", "A quantitative CT"

    class Meta(EndpointRecord.Meta):
        verbose_name = "quantitative chest CT"
        verbose_name_plural = "quantitative chest CTs"
        ordering = ["participant", "scan_date"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            _one_per_day("quantitativect", "scan_date"),
            *_percent_range("quantitativect", "lesion_percent", "solid_percent", "ground_glass_percent"),
            models.CheckConstraint(
                condition=Q(solid_percent__lte=F("lesion_percent")) & Q(ground_glass_percent__lte=F("lesion_percent")),
                name="outcomes_quantitativect_parts_within_whole",
            ),
        ]

    def __str__(self):
        return f"Quantitative CT {self.scan_date}: {self.lesion_percent} %"

    def clean(self):
        super().clean()
        errors = self.clean_endpoint()
        errors.check(
            endpoint_rules.check_ct_parts,
            whole=self.lesion_percent,
            solid=self.solid_percent,
            ground_glass=self.ground_glass_percent,
        )
        errors.raise_any()


class SixMinuteWalk(EndpointRecord):
    """Six-minute walk test (ATS/ERS technical standard): distance, SpO2 and heart rate before and after,
    Borg dyspnoea, whether it stopped early and why, and oxygen used."""

    participant = participant_link("six_minute_walks")
    test_date = models.DateField()
    distance_m = models.PositiveSmallIntegerField("distance walked (m)", validators=[MaxValueValidator(1000)])
    spo2_before = models.PositiveSmallIntegerField(
        "SpO2 before (%)", validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    spo2_after = models.PositiveSmallIntegerField(
        "SpO2 after (%)", validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    heart_rate_before = models.PositiveSmallIntegerField(
        "heart rate before (/min)", validators=[MinValueValidator(30), MaxValueValidator(220)]
    )
    heart_rate_after = models.PositiveSmallIntegerField(
        "heart rate after (/min)", validators=[MinValueValidator(30), MaxValueValidator(220)]
    )
    borg_dyspnoea = models.DecimalField(
        "Borg dyspnoea after (0-10)",
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
    )
    stopped_early = models.BooleanField("stopped before six minutes", default=False)
    stop_reason = models.CharField("why it stopped", max_length=200, blank=True)
    oxygen_used = models.BooleanField("oxygen during the walk", default=False)
    oxygen_flow_l_min = models.DecimalField(
        "oxygen flow (L/min)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(15))],
    )

    natural_key_fields = ("test_date",)
    date_field, date_label = "test_date", "A six-minute walk test"

    class Meta(EndpointRecord.Meta):
        verbose_name = "six-minute walk test"
        ordering = ["participant", "test_date"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            _one_per_day("sixminutewalk", "test_date"),
            models.CheckConstraint(condition=Q(distance_m__lte=1000), name="outcomes_sixminutewalk_distance_range"),
            models.CheckConstraint(
                condition=Q(borg_dyspnoea__gte=0, borg_dyspnoea__lte=10), name="outcomes_sixminutewalk_borg_range"
            ),
            models.CheckConstraint(
                condition=Q(oxygen_used=True) | Q(oxygen_flow_l_min__isnull=True),
                name="outcomes_sixminutewalk_flow_only_with_oxygen",
            ),
        ]

    def __str__(self):
        return f"Six-minute walk {self.test_date}: {self.distance_m} m"

    def clean(self):
        super().clean()
        errors = self.clean_endpoint()
        errors.check(
            endpoint_rules.check_walk,
            stopped_early=self.stopped_early,
            stop_reason=self.stop_reason,
            oxygen_used=self.oxygen_used,
            oxygen_flow=self.oxygen_flow_l_min,
        )
        errors.raise_any()


def _litres(label: str, low: str, high: str, **kwargs):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(low)), MaxValueValidator(Decimal(high))],
        **kwargs,
    )


def _predicted(label: str):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(250)]
    )


class LungFunction(EndpointRecord):
    """Spirometry and transfer factor: each as measured and as % predicted by the named reference equation.
    FEV1/FVC is derived from the two measurements (``fev1_fvc_percent``), never typed."""

    participant = participant_link("lung_functions")
    test_date = models.DateField()
    fvc_l = _litres("FVC (L)", "0.2", "9")
    fvc_pct_predicted = _predicted("FVC (% predicted)")
    fev1_l = _litres("FEV1 (L)", "0.1", "8")
    fev1_pct_predicted = _predicted("FEV1 (% predicted)")
    fev1_fvc_pct_predicted = _predicted("FEV1/FVC (% predicted)")
    vc_max_l = _litres("VC max (L)", "0.2", "9", null=True, blank=True)
    vc_max_pct_predicted = _predicted("VC max (% predicted)")
    dlco_mmol_min_kpa = _litres("DLCO (mmol/min/kPa)", "0.5", "20", null=True, blank=True)
    dlco_pct_predicted = _predicted("DLCO (% predicted)")
    reference_equation = models.CharField(max_length=10, choices=ReferenceEquation.choices, blank=True)
    reference_equation_other = models.CharField("other reference equation", max_length=100, blank=True)

    natural_key_fields = ("test_date",)
    date_field, date_label = "test_date", "A lung function test"

    class Meta(EndpointRecord.Meta):
        verbose_name = "lung function test"
        ordering = ["participant", "test_date"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            _one_per_day("lungfunction", "test_date"),
            models.CheckConstraint(condition=Q(fev1_l__lte=F("fvc_l")), name="outcomes_lungfunction_fev1_within_fvc"),
            models.CheckConstraint(
                condition=Q(reference_equation="") | Q(reference_equation__in=ReferenceEquation.values),
                name="outcomes_lungfunction_reference_equation_valid",
            ),
        ]

    def __str__(self):
        return f"Lung function {self.test_date}"

    @property
    def fev1_fvc_percent(self) -> Decimal | None:
        """FEV1/FVC (%), derived."""
        return endpoint_rules.fev1_fvc_percent(self.fev1_l, self.fvc_l)

    def clean(self):
        super().clean()
        errors = self.clean_endpoint()
        errors.check(
            endpoint_rules.check_lung_function,
            values={name: getattr(self, name) for pair in endpoint_rules.LUNG_FUNCTION_PAIRS for name in pair[:2]}
            | {"fev1_fvc_pct_predicted": self.fev1_fvc_pct_predicted},
            reference_equation=self.reference_equation,
            reference_equation_other=self.reference_equation_other,
        )
        errors.raise_any()


class DyspnoeaGrade(EndpointRecord):
    """The modified Medical Research Council dyspnoea grade (0-4), asked at follow-up visits."""

    participant = participant_link("dyspnoea_grades")
    assessment_date = models.DateField()
    grade = models.PositiveSmallIntegerField("mMRC grade", choices=Mmrc.choices)

    natural_key_fields = ("assessment_date",)
    date_field, date_label = "assessment_date", "An mMRC grade"

    class Meta(EndpointRecord.Meta):
        verbose_name = "mMRC dyspnoea grade"
        ordering = ["participant", "assessment_date"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            _one_per_day("dyspnoeagrade", "assessment_date"),
            models.CheckConstraint(condition=Q(grade__lte=4), name="outcomes_dyspnoeagrade_grade_range"),
        ]

    def __str__(self):
        return f"mMRC {self.grade} on {self.assessment_date}"

    def clean(self):
        super().clean()
        self.clean_endpoint().raise_any()
