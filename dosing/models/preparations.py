"""The unblinded pharmacy's preparation of each kit, in a blinded trial: what the kit holds (cells and
viability for active product, nothing for placebo), its release checks and its use-by time. The ward's
infusion record names the kit by its code (dosing/models/infusions.py), never what it holds.

Preparations carry the allocation (a placebo kit has no cells), so only unblinded roles read them
(the admin hides them from everyone else: patients/admin_base/blinding.py)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dosing import rules
from dosing.models.regimens import PERCENT, regimen_for
from patients.casebook.design import TrialDesign
from patients.casebook.records import ClinicalRecord, ParticipantRecord, ParticipantRecordQuerySet, participant_link
from patients.casebook.rules import RuleErrors, refusal

RELEASE_CHECKS = ("label_verified", "appearance_ok", "release_tests_passed")


class Preparation(ParticipantRecord):
    participant = participant_link("preparations")
    # A placebo kit holds no cells: the preparations are the allocation (patients/casebook/blinding.py).
    holds_allocation = True
    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("kit_code", None)

    sequence_number = models.PositiveSmallIntegerField("infusion", help_text="The infusion it is for: 1, 2, 3...")
    kit_code = models.CharField(
        max_length=40, help_text="The code on the kit's label; the ward records it with the infusion."
    )
    product_lot = models.CharField("product lot / batch", max_length=40, help_text="Cell product or placebo lot.")
    cells_millions = models.DecimalField(
        "cells in the kit (x 10^6)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="Active product only; empty for placebo.",
    )
    viability_percent = models.DecimalField(
        "viability at release (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text="Active product only; empty for placebo.",
    )
    volume_ml = models.DecimalField(
        "volume (mL)", max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    label_verified = models.BooleanField(default=False, help_text="Label checked against the participant and kit.")
    appearance_ok = models.BooleanField(default=False, help_text="No clumps, leaks or discolouration.")
    release_tests_passed = models.BooleanField(
        default=False, help_text="Sterility, endotoxin and mycoplasma results accepted."
    )
    prepared_datetime = models.DateTimeField("prepared")
    released_datetime = models.DateTimeField("released", null=True, blank=True)
    use_by_datetime = models.DateTimeField(
        "use by", editable=False, help_text="Prepared time plus the regimen's hours of use; set on save."
    )
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("kit_code",)

    class Meta(ClinicalRecord.Meta):
        ordering = ["participant", "sequence_number"]
        constraints = [
            *ClinicalRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["kit_code"], condition=Q(voided=False), name="dosing_preparation_kit_code_unique"
            ),
            models.UniqueConstraint(
                fields=["participant", "sequence_number"],
                condition=Q(voided=False),
                name="dosing_preparation_one_per_infusion",
            ),
            models.CheckConstraint(condition=~Q(kit_code=""), name="dosing_preparation_kit_code_required"),
            models.CheckConstraint(
                condition=Q(cells_millions__isnull=True) | Q(cells_millions__gt=0),
                name="dosing_preparation_cells_positive",
            ),
            models.CheckConstraint(
                condition=Q(viability_percent__isnull=True) | Q(viability_percent__gte=0, viability_percent__lte=100),
                name="dosing_preparation_viability_range",
            ),
            # Released only with every check done.
            models.CheckConstraint(
                condition=Q(released_datetime__isnull=True)
                | Q(label_verified=True, appearance_ok=True, release_tests_passed=True),
                name="dosing_preparation_release_checked",
            ),
        ]

    def __str__(self):
        return self.kit_code

    @property
    def released(self) -> bool:
        return self.released_datetime is not None

    def clean(self):
        super().clean()
        participant = self.participant_for_rules()
        if participant is None:
            return
        if not TrialDesign.current().blinded:
            raise refusal(
                "participant",
                "The pharmacy prepares kits in a blinded trial only; in this trial the ward records each infusion "
                "with its product.",
                "no_pharmacy",
            )
        regimen = regimen_for(participant) if participant.arm_id else None
        errors = RuleErrors()
        errors.check(
            rules.check_product_arm,
            arm_name=str(participant.arm) if participant.arm_id else None,
            receives_infusions=bool(participant.arm_id and participant.arm.receives_infusions),
            has_regimen=regimen is not None,
        )
        errors.raise_any()
        if self.sequence_number and self.sequence_number > regimen.number_of_infusions:
            errors.add(
                "sequence_number",
                f"The regimen has {regimen.number_of_infusions} infusions.",
                "beyond_regimen",
            )
        if self.pk and self.given_in.active().exists():
            errors.add(
                NON_FIELD_ERRORS, f"Kit {self.kit_code} is given: its preparation no longer changes.", "kit_given"
            )
        errors.check(
            rules.check_preparation_contents,
            treatment=participant.arm.treatment,
            cells_millions=self.cells_millions,
            viability_percent=self.viability_percent,
            nominal_cells_millions=regimen.nominal_cells_millions,
            dose_tolerance_percent=regimen.dose_tolerance_percent,
            min_viability_percent=regimen.min_viability_percent,
        )
        errors.check(
            rules.check_preparation_volume,
            volume_ml=self.volume_ml,
            regimen_volume_ml=regimen.volume_ml,
            tolerance_ml=regimen.volume_tolerance_ml,
        )
        errors.check(
            rules.check_preparation_release,
            prepared=self.prepared_datetime,
            released=self.released_datetime,
            checks={name: getattr(self, name) for name in RELEASE_CHECKS},
            now=timezone.now(),
        )
        earlier = (
            Preparation.objects.active()
            .filter(participant=participant, sequence_number=self.sequence_number)
            .exclude(pk=self.pk)
            .first()
        )
        if earlier is not None:
            errors.add(
                "sequence_number",
                f"Kit {earlier.kit_code} is prepared for this infusion; void it, with the reason (e.g. spoiled, "
                "expired), before preparing another.",
                "kit_already_prepared",
            )
        if self.kit_code:
            duplicate = Preparation.objects.active().filter(kit_code=self.kit_code).exclude(pk=self.pk).exists()
            if duplicate:
                errors.add("kit_code", f"Kit code {self.kit_code} is already used.", "duplicate")
        errors.raise_any()

    def save(self, *args, **kwargs):
        regimen = regimen_for(self.participant)
        hours = regimen.use_within_hours if regimen else 0
        self.use_by_datetime = self.prepared_datetime + datetime.timedelta(hours=hours)
        super().save(*args, **kwargs)
