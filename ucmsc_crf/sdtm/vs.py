"""VS (Vital Signs): every vital sign the casebook holds, one record per test per time: the daily
observations (a date), the vital signs taken before and after each infusion (its start and end, with the
time point), weight and height at screening. Results are recorded in their standard units, so the standard
result is the original one."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from dosing.models import Infusion
from outcomes.models import DailyObservation
from ucmsc_crf.sdtm.dates import iso, study_day

# test code -> (test name, unit)
TESTS = {
    "TEMP": ("Temperature", "C"),
    "HR": ("Heart Rate", "beats/min"),
    "RESP": ("Respiratory Rate", "breaths/min"),
    "SYSBP": ("Systolic Blood Pressure", "mmHg"),
    "DIABP": ("Diastolic Blood Pressure", "mmHg"),
    "OXYSAT": ("Oxygen Saturation", "%"),
    "WEIGHT": ("Weight", "kg"),
    "HEIGHT": ("Height", "cm"),
}
DAILY = {"TEMP": "temperature_c", "HR": "heart_rate", "RESP": "respiratory_rate", "SYSBP": "systolic_bp",
         "DIABP": "diastolic_bp", "OXYSAT": "spo2_percent"}  # fmt: skip
AROUND_INFUSION = {
    "before": {"TEMP": "temperature_before_c", "HR": "heart_rate_before", "SYSBP": "systolic_before",
               "DIABP": "diastolic_before"},
    "after": {"TEMP": "temperature_after_c", "HR": "heart_rate_after", "SYSBP": "systolic_after",
              "DIABP": "diastolic_after"},
}  # fmt: skip
TIME_POINTS = {"before": ("PRE-INFUSION", 1), "after": ("POST-INFUSION", 2)}


@dataclass
class _Result:
    test: str
    value: object
    when: datetime.date | datetime.datetime
    category: str
    time_point: str = ""
    point_number: int | None = None
    reference: str = ""
    before_exposure: bool | None = None  # known to be before the first infusion (None: decide by the time)


def rows(block: list, subjects: list, first_infusions: dict, studyid: str) -> list[dict]:
    """``first_infusions``: the start of each subject's first infusion (pk -> datetime), for VSLOBXFL."""
    by_pk = {s.pk: s for s in subjects}
    results = {pk: [] for pk in by_pk}
    for participant in block:
        screened = timezone.localtime(participant.screening_datetime).date()
        for test, value in (("WEIGHT", participant.weight_kg), ("HEIGHT", participant.height_cm)):
            results[participant.pk].append(_Result(test, value, screened, "SCREENING"))
    fields = ["participant_id", "observation_date", *DAILY.values()]
    daily = DailyObservation.objects.filter(participant_id__in=list(by_pk), voided=False).order_by("observation_date")
    for observation in daily.values(*fields):
        for test, field in DAILY.items():
            results[observation["participant_id"]].append(
                _Result(test, observation[field], observation["observation_date"], "DAILY OBSERVATION")
            )
    around = [f for fields in AROUND_INFUSION.values() for f in fields.values()]
    infusions = Infusion.objects.filter(participant_id__in=list(by_pk), voided=False).order_by("start_datetime")
    for infusion in infusions.values("participant_id", "sequence_number", "start_datetime", "end_datetime", *around):
        for moment, fields in AROUND_INFUSION.items():
            name, number = TIME_POINTS[moment]
            when = infusion["start_datetime"] if moment == "before" else infusion["end_datetime"]
            first = first_infusions.get(infusion["participant_id"])
            before = moment == "before" and infusion["start_datetime"] == first
            for test, field in fields.items():
                results[infusion["participant_id"]].append(
                    _Result(test, infusion[field], when, "INFUSION", name, number,
                            f"INFUSION {infusion['sequence_number']}", before or None)
                )  # fmt: skip
    records = []
    for pk, found in results.items():
        subject = by_pk[pk]
        found = [r for r in found if r.value is not None]
        found.sort(key=lambda r: (_moment(r.when), r.point_number or 0, list(TESTS).index(r.test)))
        last_before = _last_before_exposure(found, first_infusions.get(pk))
        for sequence, result in enumerate(found, 1):
            name, unit = TESTS[result.test]
            value = _text(result.value)
            records.append(
                {
                    "STUDYID": studyid,
                    "DOMAIN": "VS",
                    "USUBJID": subject.usubjid,
                    "VSSEQ": sequence,
                    "VSTESTCD": result.test,
                    "VSTEST": name,
                    "VSCAT": result.category,
                    "VSORRES": value,
                    "VSORRESU": unit,
                    "VSSTRESC": value,
                    "VSSTRESN": float(result.value),
                    "VSSTRESU": unit,
                    "VSLOBXFL": "Y" if id(result) in last_before else "",
                    "VISITNUM": None,
                    "VSDTC": iso(result.when),
                    "VSTPT": result.time_point,
                    "VSTPTREF": result.reference,
                    "VSDY": study_day(result.when, subject.reference),
                    "VSTPTNUM": result.point_number,
                }
            )
    return records


def _text(value) -> str:
    return format(value, "f") if not isinstance(value, int) else str(value)


def _moment(when) -> datetime.datetime:
    """A date sorts at the start of its day, before anything timed that day."""
    if isinstance(when, datetime.datetime):
        return timezone.localtime(when).replace(tzinfo=None)
    return datetime.datetime.combine(when, datetime.time.min)


def _last_before_exposure(results: list[_Result], first: datetime.datetime | None) -> set[int]:
    """The ids of the last result of each test known to be before the first infusion."""
    if first is None:
        return set()
    first_day = timezone.localtime(first).date()
    last = {}
    for result in results:  # in time order
        if result.before_exposure:
            known_before = True
        elif isinstance(result.when, datetime.datetime):
            known_before = result.when < first
        else:
            known_before = result.when < first_day  # a date alone on the day of the infusion: not known
        if known_before:
            last[result.test] = id(result)
    return set(last.values())
