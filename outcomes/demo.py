"""Demo outcomes shaped like the published phase 1 trial (Meng et al. 2020, Table 3 and the safety table).

Each participant gets daily observations from study day 0 to discharge, labs (blood count, CRP, cytokines,
SARS-CoV-2 IgM/IgG), chest CT, adverse events and an end of study (all discharged). The per-arm counts of
participants ever on invasive ventilation, low-flow and high-flow oxygen, and ever with fever, fatigue, cough
and shortness of breath are the paper's; lengths of stay have its medians (20 vs 23 days) and the titres at
discharge its medians. Day-by-day values, sampling days and CT are not published: plausible choices.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from outcomes.models import AdverseEvent, Analyte, ChestCt, DailyObservation, LabResult
from patients import services
from patients.casebook.choices import ReviewStatus
from patients.casebook.saving import record_save
from patients.models import EndOfStudy, Participant

D = Decimal
DAY = datetime.timedelta(days=1)

# Per arm, in order of enrolment (T1..T9 / C1..C9): length of stay (admission to discharge, days) and what
# the participant ever had. Flags: V invasive ventilation, H high-flow, L low-flow; f fever, t fatigue,
# c cough, s shortness of breath.
PROFILES = {
    "ucmsc": [
        (17, "f"),  # T1 moderate; facial flushing after the 1st infusion
        (19, "Lft"),
        (21, "LHtc"),
        (15, "f"),  # T4 moderate; transient fever after the 3rd infusion
        (18, "Lfc"),
        (24, "LHt"),  # T6 severe; hypoxaemia after the 1st infusion, recovered on high-flow
        (20, "Lf"),
        (29, "LHVcs"),  # T8 severe; the one treated participant ventilated
        (25, "Ltc"),
    ],
    "control": [
        (18, "fc"),
        (27, "LHVtcs"),
        (20, ""),
        (31, "LHVtcs"),
        (20, "Lftc"),
        (27, "LHVcs"),
        (22, "Ltc"),
        (25, "LHVcs"),
        (23, "LHtcs"),
    ],
}
# Titres at discharge (S/CO): medians 24.62 vs 76.89 (IgM) and 19.93 vs 21.50 (IgG), as published.
TITRES = {
    "ucmsc": {
        "igm": ["4.10", "8.43", "12.00", "20.50", "24.62", "30.20", "45.97", "60.30", "88.00"],
        "igg": ["1.20", "3.37", "8.90", "15.10", "19.93", "25.00", "33.59", "40.20", "52.00"],
    },
    "control": {
        "igm": ["10.20", "19.13", "35.60", "60.00", "76.89", "120.50", "187.20", "230.00", "310.00"],
        "igg": ["9.80", "15.69", "18.00", "20.10", "21.50", "45.00", "121.10", "150.00", "180.00"],
    },
}
CYTOKINES = ("il6", "ifn_gamma", "tnf_alpha", "mcp1", "ip10", "il22", "il1ra", "il18", "il8", "mip1")
# Baseline medians (pg/mL); treated fall faster. Plausible, not published values.
CYTOKINE_BASELINE = {
    "il6": 35,
    "ifn_gamma": 12,
    "tnf_alpha": 9,
    "mcp1": 450,
    "ip10": 2500,
    "il22": 25,
    "il1ra": 1800,
    "il18": 350,
    "il8": 45,
    "mip1": 30,
}


def oxygen_course(flags: str, days: int) -> list[str]:
    """Support per observed day: escalate to the highest level, then wean to room air."""
    plan = []
    if "V" in flags:
        plan = ["low_flow"] * 2 + ["high_flow"] * 2 + ["imv"] * 6 + ["high_flow"] * 2 + ["low_flow"] * 3
    elif "H" in flags:
        plan = ["low_flow"] * 2 + ["high_flow"] * 3 + ["low_flow"] * 3
    elif "L" in flags:
        plan = ["low_flow"] * 5
    plan = plan[: max(days - 2, 0)]
    return plan + ["room_air"] * (days - len(plan))


def seed_outcomes(*, site, user, seed: int = 2020) -> int:
    """Create the demo outcomes of the site's participants that have no end of study yet (idempotent)."""
    rng = random.Random(seed + 2)
    analytes = {a.code: a for a in Analyte.objects.all()}
    done = 0
    participants = Participant.objects.filter(site=site, voided=False, status="enrolled").select_related("arm")
    for arm_code in ("ucmsc", "control"):
        members = [p for p in participants.order_by("study_id") if p.arm.code == arm_code]
        titre_order = list(range(len(TITRES[arm_code]["igm"])))
        rng.shuffle(titre_order)
        profiles = PROFILES[arm_code]
        # Beyond the published nine per arm (a scaled-up demo), the nine profiles repeat.
        for index, participant in enumerate(members):
            length_of_stay, flags = profiles[index % len(profiles)]
            _seed_participant(
                participant,
                user=user,
                rng=rng,
                analytes=analytes,
                treated=arm_code == "ucmsc",
                number=index % len(profiles) + 1,
                length_of_stay=length_of_stay,
                flags=flags,
                titres={
                    code: D(values[titre_order[index % len(titre_order)]]) for code, values in TITRES[arm_code].items()
                },
            )
            done += 1
    return done


def _save(instance, user):
    instance.review_status = ReviewStatus.SUBMITTED  # the ward entered and submitted it
    record_save(instance, user=user, validate=True)
    return instance


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _seed_participant(participant, *, user, rng, analytes, treated, number, length_of_stay, flags, titres):
    discharge = participant.admission_date + length_of_stay * DAY
    days = (discharge - participant.day0_date).days + 1
    course = oxygen_course(flags, days)
    infusions = {i.sequence_number: i for i in participant.infusions.active()} if treated else {}
    ventilated_days = [participant.day0_date + n * DAY for n, level in enumerate(course) if level == "imv"]

    for n, support in enumerate(course):
        on = participant.day0_date + n * DAY
        fever = "f" in flags and n < 3
        if treated and number == 4:  # T4: transient fever <= 38 C only after the 3rd infusion (day 6)
            fever = n == 6
        temperature = (
            D("38.0")
            if (treated and number == 4 and fever)
            else (D(f"{rng.uniform(38.1, 38.9):.1f}") if fever else D(f"{rng.uniform(36.4, 37.2):.1f}"))
        )
        spo2 = {"room_air": (95, 98), "low_flow": (93, 96), "high_flow": (90, 94), "imv": (89, 95)}[support]
        spo2_value = rng.randint(*spo2)
        if treated and number == 6 and n == 0:
            spo2_value = 91  # severe hypoxaemia within 12 h of the first infusion
        flow = {"low_flow": D(rng.choice(["2", "3", "4"])), "high_flow": D(rng.choice(["40", "45", "50"]))}.get(support)
        fio2 = {"room_air": 21, "imv": rng.randint(40, 60), "high_flow": rng.randint(45, 60)}.get(
            support, 21 + 4 * int(flow or 0)
        )
        _save(
            DailyObservation(
                participant=participant,
                observation_date=on,
                temperature_c=temperature,
                heart_rate=rng.randint(72, 98) + (8 if fever else 0),
                respiratory_rate={"room_air": 18, "low_flow": 22, "high_flow": 26, "imv": 18}[support]
                + rng.randint(-2, 2),
                systolic_bp=rng.randint(112, 132),
                diastolic_bp=rng.randint(68, 82),
                spo2_percent=spo2_value,
                fio2_percent=fio2,
                oxygen_support=support,
                oxygen_flow_l_min=flow,
                pao2_fio2_mmhg=rng.randint(120, 240) if support in ("high_flow", "imv") else None,
                who_score={"room_air": 4, "low_flow": 5, "high_flow": 6, "imv": rng.choice([7, 8])}[support],
                fever="present" if fever else "absent",
                cough="present" if "c" in flags and n < 7 else "absent",
                fatigue="present" if "t" in flags and n < 5 else "absent",
                shortness_of_breath="present" if "s" in flags and n < 6 else "absent",
                chest_tightness="absent",
                # Not assessed while sedated and ventilated: missing data, not "no".
                myalgia="not_assessed" if support == "imv" else "absent",
                diarrhoea="absent",
                other_symptoms="absent",
            ),
            user,
        )

    _seed_labs(participant, user=user, rng=rng, analytes=analytes, treated=treated, days=days, titres=titres)
    _seed_ct(participant, user=user, rng=rng, days=days, severe=participant.severity == "severe")
    _seed_adverse_events(
        participant, user=user, treated=treated, number=number, infusions=infusions, ventilated_days=ventilated_days
    )
    services.end_of_study_record(
        end_of_study=EndOfStudy(
            participant=participant,
            review_status=ReviewStatus.SUBMITTED,
            end_reason="discharged",
            end_date=discharge,
            icu_admission_date=ventilated_days[0] if ventilated_days else None,
            icu_discharge_date=ventilated_days[-1] + DAY if ventilated_days else None,
        ),
        user=user,
    )


def _seed_labs(participant, *, user, rng, analytes, treated, days, titres):
    last = days - 1
    decline = 0.55 if treated else 0.8  # share of the baseline left per week
    for study_day in sorted({0, 3, 6, 14, last} & set(range(days))):
        sampled = _at(participant.day0_date + study_day * DAY, 7, 30)
        weeks = study_day / 7
        lymphocytes = 0.75 + weeks * (0.45 if treated else 0.25) + rng.uniform(-0.1, 0.1)
        values = {
            "wbc": rng.uniform(4.5, 8.5),
            "lymphocytes": lymphocytes,
            "neutrophils": rng.uniform(3.0, 6.0),
            "platelets": rng.uniform(160, 300),
            "crp": 45 * (decline**weeks) + rng.uniform(0, 5),
        }
        if study_day in (0, 6, 14):
            for code in CYTOKINES:
                values[code] = CYTOKINE_BASELINE[code] * (decline**weeks) * rng.uniform(0.7, 1.3)
        if study_day in (0, last):
            for code, at_discharge in titres.items():
                values[code] = float(at_discharge) if study_day == last else rng.uniform(0.3, 2.5)
        for code, value in values.items():
            _save(
                LabResult(
                    participant=participant,
                    analyte=analytes[code],
                    sample_datetime=sampled,
                    value=D(f"{value:.2f}"),
                ),
                user,
            )


def _seed_ct(participant, *, user, rng, days, severe):
    score = rng.randint(11, 16) if severe else rng.randint(5, 10)
    for position, study_day in enumerate(sorted({0, 7, days - 2} & set(range(days)))):
        _save(
            ChestCt(
                participant=participant,
                scan_date=participant.day0_date + study_day * DAY,
                ground_glass_opacity="present",
                consolidation="present" if severe and position == 0 else "absent",
                crazy_paving="present" if severe and position == 0 else "absent",
                pleural_effusion="absent",
                extent_score=max(score - position * 4, 1),
                comparison="first" if position == 0 else "improved",
            ),
            user,
        )


def _event(participant, *, term, infusion=None, onset, resolution, grade=1, relation, treated, **extra):
    return AdverseEvent(
        participant=participant,
        term=term,
        onset_datetime=onset,
        resolution_datetime=resolution,
        grade=grade,
        relation=relation,
        expectedness=extra.pop("expectedness", "expected"),
        action_taken="none" if treated else "not_applicable",
        outcome="recovered",
        infusion=infusion,
        **extra,
    )


def _seed_adverse_events(participant, *, user, treated, number, infusions, ventilated_days):
    events = []
    if treated and number == 1:
        start = infusions[1].start_datetime
        events.append(
            _event(
                participant,
                term="Facial flushing",
                infusion=infusions[1],
                onset=start + datetime.timedelta(hours=2),
                resolution=start + datetime.timedelta(hours=20),
                relation="possible",
                treated=True,
            )
        )
    if treated and number == 4:
        start = infusions[3].start_datetime
        events.append(
            _event(
                participant,
                term="Transient fever (<= 38 C)",
                infusion=infusions[3],
                onset=start + datetime.timedelta(hours=1, minutes=30),
                resolution=start + datetime.timedelta(hours=12),
                relation="possible",
                treated=True,
            )
        )
    if treated and number == 6:
        start = infusions[1].start_datetime
        events.append(
            _event(
                participant,
                term="Severe hypoxaemia",
                infusion=infusions[1],
                onset=start + datetime.timedelta(hours=10),
                resolution=start + datetime.timedelta(days=4),
                grade=3,
                relation="unlikely",
                treated=True,
                attributed_to_progression=True,
                expectedness="unexpected",
            )
        )
    if ventilated_days:
        onset = _at(ventilated_days[0], 4)
        aware = onset + datetime.timedelta(hours=2)
        events.append(
            _event(
                participant,
                term="Respiratory failure requiring invasive ventilation",
                onset=onset,
                resolution=_at(ventilated_days[-1], 16),
                grade=4,
                relation="unlikely" if treated else "not_related",
                treated=treated,
                attributed_to_progression=True,
                serious=True,
                serious_life_threatening=True,
                serious_hospitalisation=True,
                site_aware_datetime=aware,
                reported_datetime=aware + datetime.timedelta(hours=18),
            )
        )
    for event in events:
        _save(event, user)
