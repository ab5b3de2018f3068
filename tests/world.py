"""A generated trial at scale (issue 19): N participants over several sites with the records a real casebook
holds (eligibility, consent, schedule, infusions, daily observations through the stay, labs, adverse events,
end of study or withdrawal), written in bulk with one history row per record, as an import would leave them.

Bulk, not through the services: 10,000 participants' casebooks through the services take hours, and what is
measured is reading them, not writing them. Bench and test data only; never a trial's. The scale benchmark
(bench/scale.py) builds 10,000 with it; the query-count tests build a few dozen at two sizes.

The values follow the phase 1 protocol (3 infusions on days 0, 3 and 6 for the product arm, a stay of 5 to 28
days, labs on days 0, 3, 6 and 14) with a seeded random spread, so a run is repeatable.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from dosing.models import ArmRegimen, Infusion, PlannedInfusion
from outcomes.models import AdverseEvent, Analyte, DailyObservation, LabResult
from patients.casebook.choices import ParticipantStatus
from patients.eligibility import current_criteria
from patients.models import Arm, Consent, EligibilityAnswer, EndOfStudy, Participant, Site, Withdrawal

BATCH = 2000
LAB_DAYS = (0, 3, 6, 14)
LAB_ANALYTES = ("lymphocytes", "crp", "il6", "igm", "igg")
SYMPTOM_NAMES = ("fever", "cough", "fatigue", "shortness_of_breath", "chest_tightness", "myalgia", "diarrhoea")


@dataclass
class World:
    sites: list = field(default_factory=list)
    participants: int = 0
    rows: dict = field(default_factory=dict)  # model label -> rows written
    # Records of the withheld models, built but not written (an import's rows: bench/import_bench.py).
    withheld: dict = field(default_factory=dict)  # model -> [unsaved instances]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


class _Writer:
    """Bulk inserts with one "+" history row per record (django-simple-history's bulk_history_create), in
    batches, so memory stays flat in the number of participants."""

    def __init__(self, world: World, user, withhold=()):
        self.world, self.user, self.withhold = world, user, tuple(withhold)
        self.pending: dict = {}

    def add(self, obj) -> None:
        if type(obj) in self.withhold:
            self.world.withheld.setdefault(type(obj), []).append(obj)
            return
        batch = self.pending.setdefault(type(obj), [])
        batch.append(obj)
        if len(batch) >= BATCH:
            self.flush(type(obj))

    def flush(self, model=None) -> None:
        for kind in [model] if model else list(self.pending):
            objs = self.pending.pop(kind, [])
            if not objs:
                continue
            kind.objects.bulk_create(objs, batch_size=BATCH)
            history = getattr(kind, "history", None)
            if history is not None:
                history.bulk_history_create(
                    objs, batch_size=BATCH, default_user=self.user, default_change_reason="Generated (bench data)"
                )
            self.world.rows[kind._meta.label] = self.world.rows.get(kind._meta.label, 0) + len(objs)


def generate(
    participants: int, *, sites: int | list = 10, seed: int = 19, site_prefix: str = "G", withhold=()
) -> World:
    """Write ``participants`` over ``sites`` new sites coded ``{site_prefix}01``... (or over the given list of
    sites, after the participants they hold: a trial grown in steps); return what was written. Records of the
    ``withhold`` models are built but not written (``World.withheld``): what an import would bring."""
    rng = random.Random(seed)
    today = timezone.localdate()
    user, _ = get_user_model().objects.get_or_create(username="generator", defaults={"is_active": False})
    arms = list(Arm.objects.order_by("pk"))
    regimens = {link.arm_id: link.regimen for link in ArmRegimen.objects.select_related("regimen")}
    analytes = {a.code: a for a in Analyte.objects.filter(code__in=LAB_ANALYTES)}
    world = World()
    with transaction.atomic():
        if isinstance(sites, int):
            world.sites = [
                Site.objects.create(code=f"{site_prefix}{n:02d}", name=f"Generated centre {site_prefix}{n:02d}")
                for n in range(1, sites + 1)
            ]
        else:
            world.sites = list(Site.objects.filter(pk__in=[site.pk for site in sites]).order_by("code"))
        writer = _Writer(world, user, withhold)
        people = _participants(participants, world.sites, rng, today, user)
        Participant.objects.bulk_create(people, batch_size=BATCH)
        world.participants = len(people)
        for site in world.sites:
            site.last_sequence_number += sum(1 for p in people if p.site_id == site.pk)
        models.QuerySet(Site).bulk_update(world.sites, ["last_sequence_number"])
        plans = {}
        criteria = current_criteria()
        for person in people:
            plan = _plan(person, rng, today, arms)
            plans[person.pk] = plan
            for criterion in criteria:
                answer = criterion.required_answer
                if plan["status"] == ParticipantStatus.SCREEN_FAILURE and criterion is criteria[-1]:
                    answer = "no" if answer == "yes" else "yes"
                writer.add(EligibilityAnswer(participant=person, criterion=criterion.code, answer=answer))
            if plan["consent"]:
                writer.add(
                    Consent(
                        participant=person,
                        consent_datetime=person.screening_datetime + datetime.timedelta(hours=1),
                        form_version="1.0",
                        given_by="participant",
                        obtained_by=user,
                        review_status="submitted",
                    )
                )
        writer.flush()
        # Enrolment after consent (the database's guard refuses it before), in bulk: a plain QuerySet, since the
        # clinical one refuses bulk updates to keep the audit trail whole (these rows have none yet to keep).
        enrolled = []
        for person in people:
            plan = plans[person.pk]
            person.status = plan["status"]
            if plan["arm"] is not None:
                person.arm = plan["arm"]
                person.day0_date = plan["day0"]
                person.enrolment_datetime = _local(plan["day0"], 9)
                person.enrolled_by = user
                enrolled.append(person)
            if plan["status"] == ParticipantStatus.SCREEN_FAILURE:
                person.screen_failure_reason = "An exclusion criterion applies."
        models.QuerySet(Participant).bulk_update(
            people,
            ["status", "arm", "day0_date", "enrolment_datetime", "enrolled_by", "screen_failure_reason"],
            batch_size=BATCH,
        )
        Participant.history.bulk_history_create(
            people, batch_size=BATCH, default_user=user, default_change_reason="Generated (bench data)"
        )
        world.rows[Participant._meta.label] = len(people)
        for person in enrolled:
            _casebook(writer, person, plans[person.pk], rng, today, user, regimens, analytes)
        writer.flush()
    return world


def _participants(n, sites, rng, today, user) -> list[Participant]:
    counters = {site.pk: site.last_sequence_number for site in sites}
    people = []
    for i in range(n):
        site = sites[i % len(sites)]
        counters[site.pk] += 1
        # Screened over the last two years, the newest last (so the latest are still on the ward).
        screened_day = today - datetime.timedelta(days=int(730 * (n - i) / n))
        onset = screened_day - datetime.timedelta(days=rng.randint(3, 12))
        people.append(
            Participant(
                site=site,
                sequence_number=counters[site.pk],
                study_id=f"{site.code}-{counters[site.pk]:03d}",
                initials="".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(2)),
                sex=rng.choice("MF"),
                date_of_birth=datetime.date(today.year - rng.randint(20, 74), rng.randint(1, 12), rng.randint(1, 28)),
                weight_kg=Decimal(f"{rng.uniform(45, 110):.1f}"),
                height_cm=Decimal(f"{rng.uniform(150, 190):.1f}"),
                admission_date=screened_day - datetime.timedelta(days=rng.randint(0, 3)),
                symptom_onset_date=onset,
                severity=rng.choice(["moderate", "moderate", "severe"]),
                hypertension=rng.choice(["no", "no", "yes", "unknown"]),
                diabetes=rng.choice(["no", "no", "no", "yes"]),
                cardiovascular_disease=rng.choice(["no", "no", "no", "yes", "unknown"]),
                chronic_lung_disease=rng.choice(["no", "no", "no", "yes"]),
                chronic_kidney_disease="no",
                chronic_liver_disease=rng.choice(["no", "unknown"]),
                status=ParticipantStatus.SCREENING,
                screening_datetime=_local(screened_day, 8),
                screened_by=user,
            )
        )
    return people


def _plan(person, rng, today, arms) -> dict:
    """What happens to one participant: screen failure, still screening, or enrolled (in stay, completed,
    withdrawn), the arm, day 0, the stay's length and how it ended."""
    screened_day = timezone.localdate(person.screening_datetime)
    roll = rng.random()
    if roll < 0.06:
        return {"status": ParticipantStatus.SCREEN_FAILURE, "arm": None, "consent": True}
    day0 = screened_day
    stay = rng.randint(5, 28)
    if (today - day0).days <= 1 and roll < 0.5:
        return {"status": ParticipantStatus.SCREENING, "arm": None, "consent": False}
    plan = {"arm": arms[rng.randrange(len(arms))], "day0": day0, "consent": True, "stay": stay}
    if day0 + datetime.timedelta(days=stay) >= today:
        plan.update(status=ParticipantStatus.ENROLLED, last_day=today - datetime.timedelta(days=1), end=None)
    elif roll > 0.97:
        plan.update(status=ParticipantStatus.WITHDRAWN, last_day=day0 + datetime.timedelta(days=min(3, stay)))
        plan["end"] = ("withdrawn", plan["last_day"])
    else:
        reason = "died" if roll > 0.95 else "transferred" if roll > 0.94 else "discharged"
        plan.update(status=ParticipantStatus.COMPLETED, last_day=day0 + datetime.timedelta(days=stay))
        plan["end"] = (reason, plan["last_day"])
    return plan


def _casebook(writer, person, plan, rng, today, user, regimens, analytes) -> None:
    day0, last_day = plan["day0"], plan["last_day"]
    severe = person.severity == "severe"
    regimen = regimens.get(plan["arm"].pk)
    given = []
    if regimen is not None:
        for k in range(1, regimen.number_of_infusions + 1):
            planned_date = regimen.planned_date(day0, k)
            done = planned_date <= last_day
            writer.add(
                PlannedInfusion(
                    participant=person,
                    regimen=regimen,
                    sequence_number=k,
                    planned_date=planned_date,
                    status="given" if done else "planned",
                )
            )
            if done:
                given.append(k)
                start = _local(planned_date, 14)
                writer.add(
                    Infusion(
                        participant=person,
                        sequence_number=k,
                        start_datetime=start,
                        end_datetime=start + datetime.timedelta(minutes=45),
                        cells_administered_millions=Decimal(f"{rng.uniform(28, 32):.1f}"),
                        volume_ml=Decimal("100.0"),
                        lot_number=f"LOT-{day0:%y%m}",
                        viability_percent=Decimal(f"{rng.uniform(85, 97):.1f}"),
                        administered_by=user,
                        route="iv",
                        ecg="normal",
                        spo2_lowest=rng.randint(92, 96),
                        spo2_highest=rng.randint(97, 99),
                        temperature_before_c=Decimal("36.8"),
                        temperature_after_c=Decimal(f"{rng.uniform(36.5, 37.8):.1f}"),
                        heart_rate_before=rng.randint(70, 95),
                        heart_rate_after=rng.randint(70, 100),
                        systolic_before=rng.randint(110, 135),
                        diastolic_before=rng.randint(65, 85),
                        systolic_after=rng.randint(110, 135),
                        diastolic_after=rng.randint(65, 85),
                        review_status="submitted",
                    )
                )
    support = "high_flow" if severe and rng.random() < 0.3 else "low_flow" if severe else "room_air"
    day = day0
    while day <= last_day:
        if rng.random() < 0.15:  # getting better (or, now and then, worse)
            support = {"imv": "high_flow", "high_flow": "low_flow", "low_flow": "room_air"}.get(support, support)
        elif severe and rng.random() < 0.02:
            support = "imv"
        writer.add(_observation(person, day, support, rng))
        day += datetime.timedelta(days=1)
    for lab_day in LAB_DAYS:
        on = day0 + datetime.timedelta(days=lab_day)
        if on > last_day:
            break
        for analyte in analytes.values():
            low, high = float(analyte.plausible_min or 0), float(analyte.plausible_max or 100)
            value = rng.uniform(low, low + (high - low) / 20)
            writer.add(
                LabResult(
                    participant=person,
                    analyte=analyte,
                    sample_datetime=_local(on, 7),
                    value=Decimal(f"{value:.2f}"),
                    unit=analyte.unit,
                    review_status="submitted",
                )
            )
    if rng.random() < 0.25 and day0 + datetime.timedelta(days=1) <= last_day:
        onset = _local(day0 + datetime.timedelta(days=1), 12)
        serious = rng.random() < 0.1
        writer.add(
            AdverseEvent(
                participant=person,
                term=rng.choice(["Headache", "Fever", "Nausea", "Rash", "Hypotension"]),
                onset_datetime=onset,
                resolution_datetime=onset + datetime.timedelta(hours=rng.randint(2, 48)),
                grade=3 if serious else rng.randint(1, 2),
                serious=serious,
                serious_hospitalisation=serious,
                relation="unlikely" if given else "not_related",
                expectedness="expected",
                action_taken="none" if given else "not_applicable",
                outcome="recovered",
                site_aware_datetime=onset if serious else None,
                reported_datetime=onset + datetime.timedelta(hours=12) if serious else None,
                review_status="submitted",
            )
        )
    end = plan.get("end")
    if end is not None:
        reason, on = end
        if reason == "withdrawn":
            writer.add(
                Withdrawal(
                    participant=person,
                    withdrawal_date=on,
                    reason="consent_withdrawn",
                    recorded_by=user,
                    review_status="submitted",
                )
            )
        else:
            writer.add(
                EndOfStudy(
                    participant=person, end_reason=reason, end_date=on, recorded_by=user, review_status="submitted"
                )
            )


def _observation(person, day, support, rng) -> DailyObservation:
    flow = {"low_flow": Decimal(rng.randint(1, 5)), "high_flow": Decimal(rng.randint(30, 60))}.get(support)
    fio2 = {"room_air": 21, "low_flow": 21 + 4 * int(flow or 0), "high_flow": rng.randint(40, 70), "imv": 60}[support]
    who = {"room_air": 4, "low_flow": 5, "high_flow": 6, "imv": 7}[support]
    symptoms = {
        name: rng.choice(["present", "absent", "absent", "absent"]) if rng.random() > 0.05 else "not_assessed"
        for name in SYMPTOM_NAMES
    }
    return DailyObservation(
        participant=person,
        observation_date=day,
        temperature_c=Decimal(f"{rng.uniform(36.2, 38.8):.1f}"),
        heart_rate=rng.randint(60, 115),
        respiratory_rate=rng.randint(14, 30),
        systolic_bp=rng.randint(105, 145),
        diastolic_bp=rng.randint(60, 90),
        spo2_percent=rng.randint(88, 99),
        fio2_percent=fio2,
        oxygen_support=support,
        oxygen_flow_l_min=flow,
        who_score=who,
        other_symptoms="absent",
        review_status="submitted",
        **symptoms,
    )


def dataset_for(resource, records) -> tablib.Dataset:
    """The file an import would bring: the resource's own columns, each value as its widget writes it."""
    fields = resource.get_import_fields()
    data = tablib.Dataset(headers=[field.column_name for field in fields])
    for record in records:
        data.append([resource.export_field(field, record) for field in fields])
    return data
