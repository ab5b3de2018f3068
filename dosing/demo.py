"""Demo infusions: each treated participant gets three infusions of ~3 x 10^7 cells on days 0, 3 and 6,
with the infusion-associated events of the published safety table (Meng et al. 2020):
T1 facial flushing after the 1st infusion, T4 transient fever <= 38 C after the 3rd, T6 (severe)
SpO2 91-99 % and severe hypoxaemia within 12 h of the 1st, attributed to disease progression.
Tn is the n-th treated participant in order of enrolment. Other values are plausible, not published.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from dosing.choices import EcgResult
from dosing.models import Infusion, regimen_for
from dosing.services import schedule_create
from patients.casebook.choices import INFUSED_TREATMENTS, ReviewStatus
from patients.casebook.saving import record_save
from patients.models import Participant

# (treated number, infusion) -> what the safety table reports
SAFETY_TABLE = {
    (1, 1): {"spo2": (98, 98), "event": "Facial flushing within 4 h; resolved by itself within 24 h."},
    (4, 3): {
        "spo2": (100, 100),
        "event": "Transient fever <= 38 C within 2 h; resolved within 24 h.",
        "temperature_after_c": Decimal("38.0"),
    },
    (6, 1): {
        "spo2": (91, 99),
        "event": "Severe hypoxaemia within 12 h, attributed to progression of COVID-19; "
        "recovered on humidified high-flow nasal cannula.",
    },
}


def seed_infusions(*, site, user, seed: int = 2020) -> int:
    """Create the missing demo infusions of the site's treated participants (idempotent)."""
    rng = random.Random(seed + 1)
    tz = timezone.get_current_timezone()
    treated = Participant.objects.filter(site=site, arm__treatment__in=INFUSED_TREATMENTS, voided=False).order_by(
        "study_id"
    )
    for number, participant in enumerate(treated, start=1):
        schedule_create(participant=participant, user=user)
        regimen = regimen_for(participant)
        given = set(participant.infusions.active().values_list("sequence_number", flat=True))
        for sequence_number in range(1, regimen.number_of_infusions + 1):
            # A scaled-up demo repeats the published nine: the n-th treated is T((n - 1) mod 9 + 1).
            table = SAFETY_TABLE.get(((number - 1) % 9 + 1, sequence_number), {})
            # Draw every value even for infusions already there, so re-runs stay reproducible.
            values = {
                "cells_administered_millions": Decimal(rng.choice(["29.0", "29.5", "30.0", "30.0", "30.5", "31.0"])),
                "viability_percent": Decimal(rng.randint(88, 97)),
                "spo2": table.get("spo2") or (rng.randint(94, 97), rng.randint(97, 99)),
                "temperature_before_c": Decimal(rng.choice(["36.5", "36.6", "36.8", "37.0"])),
                "heart_rate": rng.randint(68, 92),
                "systolic": rng.randint(110, 135),
            }
            if sequence_number in given:
                continue
            start = datetime.datetime.combine(
                regimen.planned_date(participant.day0_date, sequence_number), datetime.time(14, 0), tzinfo=tz
            )
            give_demo_infusion(
                participant,
                sequence_number,
                user=user,
                start=start,
                values=values,
                lot_number=f"UCMSC-2020-{number:02d}{sequence_number}",
                event=table.get("event", ""),
                temperature_after_c=table.get("temperature_after_c"),
            )
    return Infusion.objects.filter(participant__site=site, voided=False).count()


def give_demo_infusion(
    participant, sequence_number, *, user, start, values, lot_number="", kit_code="", event="", temperature_after_c=None
) -> Infusion:
    """Record one demo infusion as the ward would, submitted for review, through the model's rules: with the
    product's cells, viability and lot (open-label), or the kit's code (blinded: the pharmacy holds the rest)."""
    infusion = Infusion(
        participant=participant,
        sequence_number=sequence_number,
        start_datetime=start,
        end_datetime=start + datetime.timedelta(minutes=45),
        kit_code=kit_code,
        cells_administered_millions=values.get("cells_administered_millions"),
        volume_ml=Decimal("100.0"),
        lot_number=lot_number,
        viability_percent=values.get("viability_percent"),
        premedication="",
        administered_by=user,
        ecg=EcgResult.NORMAL,
        spo2_lowest=values["spo2"][0],
        spo2_highest=values["spo2"][1],
        temperature_before_c=values["temperature_before_c"],
        temperature_after_c=temperature_after_c or values["temperature_before_c"],
        heart_rate_before=values["heart_rate"],
        heart_rate_after=values["heart_rate"] + 2,
        systolic_before=values["systolic"],
        diastolic_before=values["systolic"] - 45,
        systolic_after=values["systolic"] + 2,
        diastolic_after=values["systolic"] - 44,
        infusion_associated_event=event,
    )
    infusion.review_status = ReviewStatus.SUBMITTED  # the ward entered and submitted it
    record_save(infusion, user=user, validate=True)
    return infusion
