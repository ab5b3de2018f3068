"""The randomised demo's follow-up after discharge (ucmsc_crf/demo_randomised.py): a day 28 and a day 90 visit
in the schedule, and for the participants enrolled long enough ago their discharge, a baseline quantitative
CT and the endpoint forms of the visits they have had, so that the subject matrix shows visits done, due,
overdue and one missed, and the report's endpoint table has numbers.

Everything goes through the models' rules and the services, as real data would.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from outcomes.models import QuantitativeCt
from outcomes.services import visit_record_missed
from patients import services
from patients.casebook.choices import ReviewStatus
from patients.casebook.registry import registry
from patients.casebook.saving import record_save
from patients.casebook.schedule import Visit, VisitForm
from patients.casebook.services import record_review
from patients.choices import EndOfStudyReason
from patients.models import EndOfStudy
from ucmsc_crf.demo import _observe as observe

# code, label, target day, window before / after. The forms a visit expects are not listed here: they are
# every form the registry records at a visit (visit_forms()), as a coordinator would tick them in the admin.
VISITS = (("d28", "Day 28", 28, 3, 3), ("d90", "Day 90", 90, 7, 7))
# The demo protocol's optional forms at a visit, and those of them its participants did not do.
OPTIONAL = {("d28", "lung-function"), ("d90", "six-minute-walk")}
NOT_DONE = {("d90", "six-minute-walk")}
# Days after day 0 at which each follow-up participant went home.
DISCHARGE_DAY = 10


def visit_forms() -> list:
    """The case report forms recorded at a follow-up visit: those of the registry with a ward form and a
    ``visit`` field, in the registry's order (a new visit form joins the demo's schedule by registering)."""
    return [crf for crf in registry.with_ward_form() if any(f.name == "visit" for f in crf.model._meta.fields)]


def schedule_follow_up(user) -> None:
    """The day 28 and day 90 visits, as the coordinator sets them in the admin (idempotent)."""
    for code, label, target, before, after in VISITS:
        visit = Visit.objects.filter(code=code).first()
        if visit is None:
            visit = record_save(
                Visit(code=code, label=label, target_day=target, window_before=before, window_after=after),
                user=user,
                reason="Phase 2 schedule: follow-up after discharge",
                validate=True,
            )
        for crf in visit_forms():
            if not visit.expected_forms.filter(crf_key=crf.key).exists():
                record_save(
                    VisitForm(visit=visit, crf_key=crf.key, required=(code, crf.key) not in OPTIONAL),
                    user=user,
                    reason="Phase 2 schedule",
                    validate=True,
                )


def _on(participant, day: int) -> datetime.date:
    return participant.day0_date + datetime.timedelta(days=day)


def _save(record, user, reason: str):
    # Entered on the ward and submitted for review, as the ward's Save does.
    record.review_status = ReviewStatus.SUBMITTED
    return record_save(record, user=user, reason=reason, validate=True)


def observe_stay(participant, *, days_ago: int, user, rng) -> None:
    """The daily observations of the hospital stay (to discharge, or to yesterday while in hospital); one
    participant in two still in hospital has yesterday's missing, as a ward round would."""
    in_hospital = days_ago <= DISCHARGE_DAY
    last = min(DISCHARGE_DAY, days_ago - 1)
    for day in range(0, last + 1):
        if in_hospital and day == last and participant.pk % 2 == 0:
            continue
        observe(participant, user, _on(participant, day), rng)


@dataclass(frozen=True)
class VisitDone:
    """What the demo's values of one visit form depend on."""

    participant: object
    visit: Visit
    on: datetime.date
    lesion: Decimal  # the CT's lesion percentage at this visit (shrinking from the baseline)
    rng: object


def _follow_up_values(done: VisitDone) -> dict:
    return {"visit_date": done.on, "vital_status": "alive", "readmitted": "no", "new_symptoms": "no",
            "home_oxygen": "none"}  # fmt: skip


def _qct_values(done: VisitDone) -> dict:
    solid = (done.lesion * Decimal("0.2")).quantize(Decimal("0.1"))
    return {
        "scan_date": done.on,
        "lesion_percent": done.lesion,
        "solid_percent": solid,
        "ground_glass_percent": done.lesion - solid,
        "software": "uAI Discover-NCP 1.2",
        "reader": "R01",
    }


def _walk_values(done: VisitDone) -> dict:
    rng = done.rng
    return {
        "test_date": done.on,
        "distance_m": rng.randint(330, 500),
        "spo2_before": rng.randint(95, 98),
        "spo2_after": rng.randint(90, 95),
        "heart_rate_before": rng.randint(70, 88),
        "heart_rate_after": rng.randint(100, 125),
        "borg_dyspnoea": Decimal(rng.choice(["1", "2", "3", "4"])),
    }


def _lung_function_values(done: VisitDone) -> dict:
    rng = done.rng
    fvc = Decimal(rng.choice(["2.9", "3.2", "3.5", "3.8"]))
    return {
        "test_date": done.on,
        "fvc_l": fvc,
        "fvc_pct_predicted": rng.randint(72, 96),
        "fev1_l": (fvc * Decimal("0.81")).quantize(Decimal("0.01")),
        "fev1_pct_predicted": rng.randint(75, 98),
        "dlco_mmol_min_kpa": Decimal(rng.choice(["5.4", "6.1", "6.8", "7.3"])),
        "dlco_pct_predicted": rng.randint(58, 88),
        "reference_equation": "gli2012",
    }


def _mmrc_values(done: VisitDone) -> dict:
    return {"assessment_date": done.on, "grade": done.rng.choice([0, 1, 1, 2])}


# The demo's values of each visit form, by registry key. A form registered for visits without values here
# stops the demo with its name (and tests/test_demo_randomised.py names it first).
VISIT_VALUES = {
    "follow-up": _follow_up_values,
    "qct": _qct_values,
    "six-minute-walk": _walk_values,
    "lung-function": _lung_function_values,
    "mmrc": _mmrc_values,
}


def _visit_forms(participant, visit: Visit, day: int, *, user, rng, baseline_lesion: Decimal) -> list:
    """Every form the visit expects (and the demo's participants did), done on its target day."""
    shrink = Decimal(rng.choice(["0.25", "0.35", "0.45", "0.55", "0.7"])) ** (2 if day > 28 else 1)
    done = VisitDone(
        participant, visit, _on(participant, day), (baseline_lesion * shrink).quantize(Decimal("0.1")), rng
    )
    expected = set(visit.expected_forms.values_list("crf_key", flat=True))
    saved = []
    for crf in registry.all():
        if crf.key not in expected or (visit.code, crf.key) in NOT_DONE:
            continue
        if crf.key not in VISIT_VALUES:
            raise LookupError(f"The demo has no values for the visit form {crf.key!r}: add them to VISIT_VALUES.")
        record = crf.model(participant=participant, visit=visit, **VISIT_VALUES[crf.key](done))
        saved.append(_save(record, user, f"{visit.label} {crf.label[:1].lower()}{crf.label[1:]}"))
    return saved


def follow_up(participant, *, days_ago: int, day28: str = "done", users, rng) -> None:
    """Discharge, the baseline CT and the visits this participant has had (none for one enrolled recently).
    ``day28``: "done", "missed" (recorded so, with its reason) or "overdue" (nothing recorded)."""
    clinician, coordinator = users["clinician"], users["coordinator"]
    if days_ago <= DISCHARGE_DAY or participant.ends_of_study.exists():
        return
    baseline_lesion = Decimal(rng.randint(150, 400)) / 10
    _save(
        QuantitativeCt(
            participant=participant,
            scan_date=participant.day0_date,
            lesion_percent=baseline_lesion,
            solid_percent=(baseline_lesion * Decimal("0.3")).quantize(Decimal("0.1")),
            ground_glass_percent=(baseline_lesion * Decimal("0.7")).quantize(Decimal("0.1")),
            software="uAI Discover-NCP 1.2",
            reader="R01",
        ),
        clinician,
        "Baseline CT read",
    )
    services.end_of_study_record(
        end_of_study=EndOfStudy(
            participant=participant, end_reason=EndOfStudyReason.DISCHARGED, end_date=_on(participant, DISCHARGE_DAY)
        ),
        user=clinician,
    )
    visits = {visit.code: visit for visit in Visit.objects.all()}
    for code, _, target, _, after in VISITS:
        if days_ago <= target:
            continue  # the visit's target day is still to come (it may be due): the ward's job
        if code == "d28" and day28 == "overdue":
            continue
        if code == "d28" and day28 == "missed":
            visit_record_missed(
                participant=participant,
                visit=visits[code],
                reason="not_reached",
                details="Three calls, no answer",
                user=coordinator,
            )
            continue
        if days_ago > target + after or code == "d28":
            saved = _visit_forms(
                participant, visits[code], target, user=clinician, rng=rng, baseline_lesion=baseline_lesion
            )
            if days_ago > 90:  # the monitor has been: the day 28 visit of the first participants is verified
                for record in saved if code == "d28" else ():
                    record_review(record=record, user=users["monitor"], step="verify")
