"""What the unblinded pharmacy prepares: for each planned infusion still without a kit, the participant's
allocation (arm, what it receives, the treatment code) and the regimen's dose. Only the pharmacy's pages
read this, and only for a user the blinding policy shows the allocation to (issue 28, C: the "Add
preparation" form named the participant only, so the pharmacist could only guess active or placebo)."""

from dataclasses import dataclass

from dosing.choices import PlannedInfusionStatus
from dosing.models import PlannedInfusion, Preparation, regimen_for
from patients.casebook.blinding import BlindingPolicy
from patients.casebook.choices import Treatment
from patients.models import Participant


@dataclass
class KitToPrepare:
    participant: Participant
    sequence_number: int
    planned: PlannedInfusion | None
    arm: str
    treatment: str
    treatment_code: str
    dose: str

    @property
    def add_query(self) -> str:
        return f"participant={self.participant.pk}&sequence_number={self.sequence_number}"


def what_to_prepare(user, participant: Participant, sequence_number: int, planned=None) -> KitToPrepare | None:
    """The allocation a kit for this participant's infusion must carry, or None for a reader it is hidden from
    (or a participant without an arm)."""
    if BlindingPolicy.of(user).hides(Participant, "arm") or participant.arm_id is None:
        return None
    arm = participant.arm
    slot = getattr(participant, "randomisation_slot", None)
    regimen = regimen_for(participant)
    if not arm.receives_infusions:
        dose = "nothing: this arm receives no infusions"
    elif arm.treatment == Treatment.PLACEBO:
        dose = f"placebo (no cells), infusion {sequence_number} of {regimen.number_of_infusions}" if regimen else "-"
    else:
        dose = (
            f"{regimen.nominal_cells_millions:g} x 10^6 cells (within {regimen.dose_tolerance_percent:g} %), "
            f"viability at least {regimen.min_viability_percent:g} %, infusion {sequence_number} of "
            f"{regimen.number_of_infusions}"
            if regimen
            else "-"
        )
    if regimen is not None and arm.receives_infusions:
        # What the kit holds besides the cells: its volume and, as the regimen describes it, the product or placebo.
        if regimen.volume_ml is not None:
            volume, tolerance = (format(v.normalize(), "f") for v in (regimen.volume_ml, regimen.volume_tolerance_ml))
            dose += f"; {volume} mL (within {tolerance} mL)"
        described = regimen.placebo_description if arm.treatment == Treatment.PLACEBO else regimen.product_description
        if described:
            dose += f": {described}"
    return KitToPrepare(
        participant=participant,
        sequence_number=sequence_number,
        planned=planned,
        arm=str(arm),
        treatment=arm.get_treatment_display(),
        treatment_code=slot.treatment_code if slot is not None else "",
        dose=dose,
    )


def kits_to_prepare(user) -> list[KitToPrepare]:
    """Every planned infusion at the user's sites that has no kit yet, in planned order, with its allocation."""
    if not BlindingPolicy.of(user).may_read_table(Preparation):
        return []
    prepared = set(Preparation.objects.active().for_user(user).values_list("participant_id", "sequence_number"))
    planned = (
        PlannedInfusion.objects.active()
        .for_user(user)
        .filter(status=PlannedInfusionStatus.PLANNED)
        .select_related("participant__arm", "participant__randomisation_slot", "participant__site")
        .order_by("planned_date", "participant__study_id", "sequence_number")
    )
    kits = []
    for item in planned:
        if (item.participant_id, item.sequence_number) in prepared:
            continue
        kit = what_to_prepare(user, item.participant, item.sequence_number, planned=item)
        if kit is not None:
            kits.append(kit)
    return kits
