"""The infusion record: what was given, when and how, its safety observations, and the deviations and
schedule it updates."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from dosing import infusion_steps, rules
from dosing.choices import EcgResult, PlannedInfusionStatus, Route
from dosing.models.preparations import Preparation
from dosing.models.regimens import PERCENT, regimen_for
from patients.casebook.choices import ReviewStatus
from patients.casebook.design import TrialDesign
from patients.casebook.records import ParticipantRecordQuerySet, participant_link
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.rules import RuleErrors
from patients.casebook.saving import context_of


class Infusion(CaseReportForm):
    """A UC-MSC infusion as given, with monitoring during and after it (the trial's safety table)."""

    participant = participant_link("infusions")
    # What the kit held: it tells the arm in a blinded trial (patients/casebook/blinding.py), where the pharmacy
    # records it, not the ward. The kit itself is a blind link: its code is shown, nothing reads through it.
    allocation_fields = ("cells_administered_millions", "lot_number", "viability_percent")
    allocation_links = ("preparation",)
    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("sequence_number", "sequence")

    sequence_number = models.PositiveSmallIntegerField(help_text="1 for the first infusion, 2 for the second...")
    start_datetime = models.DateTimeField("start")
    end_datetime = models.DateTimeField("end")
    # What the kit holds: the ward records it in an open-label trial; in a blinded one the pharmacy does, on
    # the kit's preparation (dosing/models/preparations.py), and the ward records the kit's code instead.
    kit_code = models.CharField(
        max_length=40, blank=True, help_text="Blinded trial: the code on the label of the kit given."
    )
    preparation = models.ForeignKey(
        "dosing.Preparation", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="given_in"
    )
    cells_administered_millions = models.DecimalField(
        "cells administered (x 10^6)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"), "The number of cells must be more than 0.")],
        help_text="Total cells infused, in millions: 30 for 3 x 10^7.",
    )
    volume_ml = models.DecimalField(
        "volume (mL)", max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    lot_number = models.CharField("product lot / batch number", max_length=40, blank=True)
    viability_percent = models.DecimalField(
        "cell viability (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text="At release.",
    )
    route = models.CharField(max_length=4, choices=Route.choices, default=Route.INTRAVENOUS)
    premedication = models.TextField(blank=True)
    administered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    interrupted = models.BooleanField("interrupted or stopped", default=False)
    interruption_reason = models.TextField(blank=True)
    ecg = models.CharField("ECG during infusion", max_length=10, choices=EcgResult.choices)
    spo2_lowest = models.PositiveSmallIntegerField("SpO2 lowest (%)", validators=[MaxValueValidator(100)])
    spo2_highest = models.PositiveSmallIntegerField("SpO2 highest (%)", validators=[MaxValueValidator(100)])
    temperature_before_c = models.DecimalField(
        "temperature before (C)",
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(30), MaxValueValidator(45)],
    )
    temperature_after_c = models.DecimalField(
        "temperature after (C)",
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(30), MaxValueValidator(45)],
    )
    heart_rate_before = models.PositiveSmallIntegerField(
        "heart rate before (/min)", validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    heart_rate_after = models.PositiveSmallIntegerField(
        "heart rate after (/min)", validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    systolic_before = models.PositiveSmallIntegerField(
        "systolic BP before (mmHg)", validators=[MinValueValidator(50), MaxValueValidator(280)]
    )
    diastolic_before = models.PositiveSmallIntegerField(
        "diastolic BP before (mmHg)", validators=[MinValueValidator(20), MaxValueValidator(180)]
    )
    systolic_after = models.PositiveSmallIntegerField(
        "systolic BP after (mmHg)", validators=[MinValueValidator(50), MaxValueValidator(280)]
    )
    diastolic_after = models.PositiveSmallIntegerField(
        "diastolic BP after (mmHg)", validators=[MinValueValidator(20), MaxValueValidator(180)]
    )
    infusion_associated_event = models.TextField(
        blank=True,
        help_text="Any event during or after the infusion (e.g. facial flushing within 4 h). "
        "Report it as an adverse event too.",
    )
    deviation_reason = models.TextField(
        blank=True,
        help_text="Required when the infusion is off protocol (outside its window, dose off nominal, "
        "viability below the release minimum); saved as a protocol deviation.",
    )

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("sequence_number",)

    class Meta(CaseReportForm.Meta):
        ordering = ["participant", "sequence_number"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant", "sequence_number"],
                condition=Q(voided=False),
                name="dosing_infusion_unique_sequence",
            ),
            models.CheckConstraint(condition=Q(sequence_number__gte=1), name="dosing_infusion_sequence_min"),
            models.CheckConstraint(
                condition=Q(end_datetime__gt=F("start_datetime")), name="dosing_infusion_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(cells_administered_millions__isnull=True) | Q(cells_administered_millions__gt=0),
                name="dosing_infusion_cells_positive",
            ),
            models.CheckConstraint(
                condition=Q(viability_percent__isnull=True) | Q(viability_percent__gte=0, viability_percent__lte=100),
                name="dosing_infusion_viability_range",
            ),
            # Either the ward recorded the product (open-label) or the kit it gave (blinded), never both.
            models.CheckConstraint(
                condition=Q(
                    kit_code="",
                    cells_administered_millions__isnull=False,
                    viability_percent__isnull=False,
                )
                & ~Q(lot_number="")
                | Q(
                    ~Q(kit_code=""),
                    cells_administered_millions__isnull=True,
                    viability_percent__isnull=True,
                    lot_number="",
                ),
                name="dosing_infusion_product_or_kit",
            ),
            # A kit is given once.
            models.UniqueConstraint(
                fields=["preparation"],
                condition=Q(voided=False, preparation__isnull=False),
                name="dosing_infusion_kit_given_once",
            ),
            models.CheckConstraint(
                condition=Q(spo2_lowest__lte=100, spo2_highest__lte=100) & Q(spo2_lowest__lte=F("spo2_highest")),
                name="dosing_infusion_spo2_range",
            ),
            models.CheckConstraint(condition=Q(route__in=Route.values), name="dosing_infusion_route_valid"),
            models.CheckConstraint(condition=Q(ecg__in=EcgResult.values), name="dosing_infusion_ecg_valid"),
            models.CheckConstraint(
                condition=Q(interrupted=False) | ~Q(interruption_reason=""),
                name="dosing_infusion_interruption_reason",
            ),
        ]

    def __str__(self):
        return f"{self.participant} infusion {self.sequence_number}"

    def clean(self):
        super().clean()
        participant = self.participant_for_rules()
        if participant is None:
            return
        if self.pk and self.deviations.active().filter(review_status=ReviewStatus.LOCKED).exists():
            # Saving an infusion rewrites its deviations; a locked one must be unlocked first.
            raise ValidationError(
                "A protocol deviation of this infusion is locked: a coordinator must unlock it before the "
                "infusion can be changed.",
                code="deviation_locked",
            )
        errors = RuleErrors()
        regimen = regimen_for(participant) if participant.arm_id else None
        errors.check(
            rules.check_product_arm,
            arm_name=str(participant.arm) if participant.arm_id else None,
            receives_infusions=bool(participant.arm_id and participant.arm.receives_infusions),
            has_regimen=regimen is not None,
        )
        errors.raise_any()
        pharmacy = TrialDesign.current().blinded
        product = {
            "cells_administered_millions": self.cells_administered_millions,
            "viability_percent": self.viability_percent,
        }
        if pharmacy:
            errors.check(rules.check_ward_records_no_product, values={**product, "lot_number": self.lot_number})
            self._check_kit(participant, errors)
        elif self.kit_code:
            errors.add(
                "kit_code", "Kit codes are for a blinded trial's pharmacy; record the product given.", "no_pharmacy"
            )
        errors.check(
            rules.check_administration_details,
            lot_number=self.lot_number,
            spo2_lowest=self.spo2_lowest,
            spo2_highest=self.spo2_highest,
            interrupted=self.interrupted,
            interruption_reason=self.interruption_reason,
            pharmacy=pharmacy,
            product=product,
        )
        errors.check(
            rules.check_infusion_times,
            start=self.start_datetime,
            end=self.end_datetime,
            now=timezone.now(),
            max_duration=regimen.max_duration,
        )
        if self.start_datetime:
            errors.check(
                rules.check_infusion_in_follow_up,
                start=self.start_datetime,
                start_local_date=timezone.localdate(self.start_datetime),
                day0=participant.day0_date,
                first_consent=participant.consents.active()
                .order_by("consent_datetime")
                .values_list("consent_datetime", flat=True)
                .first(),
                follow_up_end=participant.follow_up_end_date(),
            )
        if self.sequence_number is not None:
            others = self._other_infusions(participant)
            errors.check(
                rules.check_sequence,
                sequence_number=self.sequence_number,
                number_of_infusions=regimen.number_of_infusions,
                already_given=any(i.sequence_number == self.sequence_number for i in others),
                previous_accounted_for=self._previous_accounted_for(participant, others),
            )
            previous = [i for i in others if i.sequence_number < self.sequence_number]
            following = [i for i in others if i.sequence_number > self.sequence_number]
            errors.check(
                rules.check_gap,
                start=self.start_datetime,
                end=self.end_datetime,
                previous_end=max((i.end_datetime for i in previous), default=None),
                next_start=min((i.start_datetime for i in following), default=None),
                min_gap=regimen.min_gap,
            )
        errors.raise_any()
        errors.check(
            rules.check_deviations_explained,
            deviations=self.protocol_deviations_found(participant, regimen),
            deviation_reason=self.deviation_reason,
        )
        errors.raise_any()

    def _check_kit(self, participant, errors: RuleErrors) -> None:
        """The chain of identity (dosing.rules.check_kit_given), and the link to the kit's preparation."""
        code = (self.kit_code or "").strip()
        preparation = Preparation.objects.active().filter(kit_code=code).first() if code else None
        given = (
            preparation is not None
            and Infusion.objects.active().filter(preparation=preparation).exclude(pk=self.pk).exists()
        )
        errors.check(
            rules.check_kit_given,
            kit_code=code,
            found=preparation is not None,
            released=bool(preparation and preparation.released),
            for_this_participant=bool(preparation and preparation.participant_id == participant.pk),
            for_this_infusion=bool(preparation and preparation.sequence_number == self.sequence_number),
            already_given=given,
            use_by=preparation.use_by_datetime if preparation else None,
            start=self.start_datetime,
        )
        if "kit_code" not in errors:
            self.kit_code = code
            self.preparation = preparation

    def save(self, *args, **kwargs):
        participant = self.participant
        regimen = regimen_for(participant)
        deviations = self.protocol_deviations_found(participant, regimen) if regimen else []
        if deviations and not (self.deviation_reason or "").strip():
            # clean() refuses this with messages on the fields; a caller that skipped it is stopped here.
            raise ValidationError(
                {
                    "deviation_reason": ValidationError(
                        "An off-protocol infusion needs a deviation reason.", code="deviation_reason_required"
                    )
                }
            )
        user = context_of(self).user
        with transaction.atomic():
            super().save(*args, **kwargs)
            if not self.voided:
                # The save's named steps, here rather than in a service so that every path (form, admin,
                # import) takes them; an infusion therefore never writes in bulk (casebook.E011).
                infusion_steps.record_deviations(self, deviations, user=user)
                infusion_steps.mark_planned(
                    self, PlannedInfusionStatus.GIVEN, user=user, reason=f"Infusion {self.sequence_number} given"
                )

    def check_void(self) -> None:
        """The sequence stays whole: an infusion is voided only when no later one is recorded (void those
        first), as infusion k is recorded only after k-1 is given, missed or cancelled."""
        later = (
            Infusion.objects.active()
            .filter(participant_id=self.participant_id, sequence_number__gt=self.sequence_number)
            .order_by("sequence_number")
            .values_list("sequence_number", flat=True)
        )
        if later:
            numbers = ", ".join(str(n) for n in later)
            raise ValidationError(
                {
                    "void_reason": ValidationError(
                        f"Infusion {numbers} is recorded after this one: void the later infusion first, so the "
                        "sequence stays whole.",
                        code="later_infusion_recorded",
                    )
                }
            )

    def void(self, *, reason: str, user) -> None:
        with transaction.atomic():
            super().void(reason=reason, user=user)
            for deviation in self.deviations.active():
                deviation.void(reason=f"Infusion voided: {reason}", user=user)
            infusion_steps.mark_planned(
                self, PlannedInfusionStatus.PLANNED, user=user, reason=f"Infusion record voided: {reason}"
            )

    @property
    def planned_date(self) -> datetime.date | None:
        regimen = regimen_for(self.participant)
        if regimen is None or self.participant.day0_date is None or not self.sequence_number:
            return None
        return regimen.planned_date(self.participant.day0_date, self.sequence_number)

    @property
    def days_off_plan(self) -> int | None:
        planned = self.planned_date
        return None if planned is None else (timezone.localdate(self.start_datetime) - planned).days

    def protocol_deviations_found(self, participant, regimen) -> list[rules.Deviation]:
        day0 = participant.day0_date
        return rules.soft_deviations(
            start_local_date=timezone.localdate(self.start_datetime) if self.start_datetime else None,
            planned=regimen.planned_date(day0, self.sequence_number) if day0 and self.sequence_number else None,
            window_days=regimen.window_days,
            day0=day0,
            cells_millions=self.cells_administered_millions,
            nominal_cells_millions=regimen.nominal_cells_millions,
            dose_tolerance_percent=regimen.dose_tolerance_percent,
            viability_percent=self.viability_percent,
            min_viability_percent=regimen.min_viability_percent,
        )

    def _other_infusions(self, participant):
        return list(participant.infusions.active().exclude(pk=self.pk))

    def _previous_accounted_for(self, participant, others) -> bool:
        previous = self.sequence_number - 1
        if previous < 1 or any(i.sequence_number == previous for i in others):
            return True
        return (
            participant.planned_infusions.active()
            .filter(
                sequence_number=previous,
                status__in=[PlannedInfusionStatus.MISSED, PlannedInfusionStatus.CANCELLED],
            )
            .exists()
        )


# The infusion CRF's entered fields, in form order: shared by the clinician form and the import file.
INFUSION_ENTRY_FIELDS = (
    "sequence_number",
    "start_datetime",
    "end_datetime",
    "kit_code",
    "cells_administered_millions",
    "volume_ml",
    "lot_number",
    "viability_percent",
    "route",
    "premedication",
    "interrupted",
    "interruption_reason",
    "ecg",
    "spo2_lowest",
    "spo2_highest",
    "temperature_before_c",
    "temperature_after_c",
    "heart_rate_before",
    "heart_rate_after",
    "systolic_before",
    "diastolic_before",
    "systolic_after",
    "diastolic_after",
    "infusion_associated_event",
    "deviation_reason",
)
