"""The bundle's two wide tables: ``analysis_table.csv``, one row per enrolled participant (baseline, outcomes,
each endpoint's baseline, value at each visit and change), and ``labs_wide_by_study_day.csv``. Computed for
blocks of participants in a fixed number of queries, whatever their number."""

from collections.abc import Iterator
from itertools import islice

from django.db.models import Count, Q
from django.utils import timezone

from dosing.models import Infusion
from outcomes.choices import OxygenSupport
from outcomes.derived import outcomes_for
from outcomes.endpoints import all_endpoints, column_stem, endpoint_values, endpoint_visits, visits_expecting
from outcomes.models import SYMPTOMS, AdverseEvent, LabResult
from patients.models import COMORBIDITY_FIELDS, Participant
from ucmsc_crf.analysis.columns import CHUNK_ROWS, Column, format_value


def endpoint_columns(visits) -> list[Column]:
    """Per quantitative endpoint: its baseline, and its value and change from baseline at each visit after
    day 0 (outcomes/endpoints.py), as many as the schedule has."""
    columns = []
    for endpoint in all_endpoints():
        source = f"derived from the {endpoint.model._meta.verbose_name} forms and the visit schedule"
        columns.append(
            Column(
                f"{endpoint.code}_baseline",
                f"{endpoint.label}: baseline (nearest before day 0, within the design's baseline window)",
                endpoint.kind,
                source,
                unit=endpoint.unit,
                derived=True,
                empty_means="no measurement in the baseline window",
            )
        )
        for visit in visits_expecting(endpoint, visits):
            stem = column_stem(endpoint, visit)
            columns += [
                Column(
                    stem,
                    f"{endpoint.label} at {visit.label} (nearest the target day within the visit's window)",
                    endpoint.kind,
                    source,
                    unit=endpoint.unit,
                    derived=True,
                    empty_means="no measurement in the visit's window",
                ),
                Column(
                    f"{stem}_change",
                    f"{endpoint.label}: change from baseline to {visit.label} (visit value minus baseline)",
                    endpoint.kind,
                    source,
                    unit=endpoint.unit,
                    derived=True,
                    empty_means="baseline or visit value missing",
                ),
            ]
    return columns


def analysis_table_columns(visits=None) -> list[Column]:
    visits = endpoint_visits() if visits is None else visits
    source = "derived from the daily observations, labs, infusions, adverse events and end of study"
    support = [
        Column(f"days_{code}", f"days with {label.lower()} as the highest support", "integer", source, derived=True)
        for code, label in OxygenSupport.choices
    ]
    symptoms = [
        Column(
            f"days_{name}",
            f"days with {label.lower()} present",
            "integer",
            source,
            derived=True,
            empty_means="never assessed",
        )
        for name, label in SYMPTOMS
    ]
    comorbidities = [
        Column(
            name,
            name.replace("_", " "),
            "code",
            "enrolment",
            codes=(("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")),
        )
        for name in COMORBIDITY_FIELDS
    ]
    return [
        Column("study_id", "study ID", "string", "enrolment"),
        Column("site", "site code", "string", "enrolment"),
        Column("arm", "arm code", "code", "enrolment", allocation=True),
        Column("severity", "COVID-19 severity at enrolment", "code", "enrolment"),
        Column("age_years", "age on day 0", "integer", "derived from the date of birth", unit="years", derived=True),
        Column("sex", "sex", "code", "enrolment"),
        *comorbidities,
        Column("infusions_given", "infusions given", "integer", source, derived=True),
        Column("observed_days", "days with a daily observation", "integer", source, derived=True),
        Column(
            "ever_ventilated",
            "invasive ventilation or ECMO on any day",
            "boolean",
            source,
            derived=True,
            empty_means="no daily observation",
        ),
        *support,
        Column("highest_who_score", "highest WHO clinical progression score", "integer", source, derived=True),
        *symptoms,
        Column("igm_at_discharge", "SARS-CoV-2 IgM at discharge", "decimal", source, unit="S/CO", derived=True),
        Column("igg_at_discharge", "SARS-CoV-2 IgG at discharge", "decimal", source, unit="S/CO", derived=True),
        Column(
            "length_of_stay_days",
            "admission to discharge",
            "integer",
            source,
            unit="days",
            derived=True,
            empty_means="not discharged",
        ),
        Column("adverse_events", "adverse events", "integer", source, derived=True),
        Column("serious_adverse_events", "serious adverse events", "integer", source, derived=True),
        *endpoint_columns(visits),
    ]


def _endpoint_plan(visits) -> list:
    """(endpoint, the visits that expect its form), in the columns' order: worked out once per file."""
    return [(endpoint, visits_expecting(endpoint, visits)) for endpoint in all_endpoints()]


def _endpoint_cells(values, plan) -> list:
    cells = []
    for endpoint, expecting in plan:
        found = values[endpoint.code]
        cells.append(found.baseline)
        for visit in expecting:
            cells += [found.at_visit.get(visit.code), found.change(visit.code)]
    return cells


def analysis_table_rows(*, user, visits=None) -> Iterator[list[str]]:
    """One row per enrolled participant, computed for blocks of participants in a fixed number of queries."""
    visits = endpoint_visits() if visits is None else visits
    plan = _endpoint_plan(visits)
    participants = Participant.objects.for_user(user) if user is not None else Participant.objects.all()
    participants = participants.active().enrolled().select_related("site", "arm").order_by("study_id")
    iterator = participants.iterator(chunk_size=500)
    while block := list(islice(iterator, 500)):
        ids = [p.pk for p in block]
        outcomes = outcomes_for(ids)
        endpoints = endpoint_values(block, visits)
        infusions = dict(
            Infusion.objects.active()
            .filter(participant_id__in=ids)
            .values("participant_id")
            .annotate(n=Count("id"))
            .values_list("participant_id", "n")
        )
        events = {
            row["participant_id"]: row
            for row in AdverseEvent.objects.active()
            .filter(participant_id__in=ids)
            .values("participant_id")
            .annotate(n=Count("id"), serious_n=Count("id", filter=Q(serious=True)))
        }
        for participant in block:
            outcome = outcomes[participant.pk]
            observed = outcome.observed_days > 0
            yield [
                format_value(v)
                for v in (
                    participant.study_id,
                    participant.site.code,
                    participant.arm.code if participant.arm_id else None,
                    participant.severity,
                    participant.age_at_enrolment,
                    participant.sex,
                    *(getattr(participant, name) for name in COMORBIDITY_FIELDS),
                    infusions.get(participant.pk, 0),
                    outcome.observed_days,
                    outcome.ever_ventilated if observed else None,
                    *(outcome.days_by_support.get(code, 0) for code in OxygenSupport.values),
                    outcome.highest_who_score,
                    *(
                        outcome.days_with_symptom.get(name, 0) if outcome.days_symptom_assessed.get(name) else None
                        for name, _ in SYMPTOMS
                    ),
                    outcome.igm_at_discharge,
                    outcome.igg_at_discharge,
                    outcome.length_of_stay_days,
                    events.get(participant.pk, {}).get("n", 0),
                    events.get(participant.pk, {}).get("serious_n", 0),
                    *_endpoint_cells(endpoints[participant.pk], plan),
                )
            ]


def lab_pivot_columns(analytes) -> list[Column]:
    return [
        Column("study_id", "study ID", "string", "lab result"),
        Column("study_day", "study day of the sample", "integer", "derived from the sample time", derived=True),
        *[
            Column(
                a.code,
                f"{a.name}: the day's first sample",
                "decimal",
                "lab result",
                unit=a.unit,
                empty_means="not measured that day",
            )
            for a in analytes
        ],
    ]


def lab_pivot_rows(*, user, analytes) -> Iterator[list[str]]:
    """Labs wide: one row per participant and study day, one column per analyte (the day's first sample).
    Streams: results come ordered by participant and time, and a row is written when its day is done."""
    position = {a.pk: i for i, a in enumerate(analytes)}
    results = LabResult.objects.for_user(user) if user is not None else LabResult.objects.all()
    results = (
        results.active()
        .filter(participant__day0_date__isnull=False)
        .order_by("participant__study_id", "sample_datetime")
        .values_list("participant__study_id", "participant__day0_date", "sample_datetime", "analyte_id", "value")
    )
    current, cells = None, None
    for study_id, day0, sampled, analyte_id, value in results.iterator(chunk_size=CHUNK_ROWS):
        key = (study_id, (timezone.localtime(sampled).date() - day0).days)
        if key != current:
            if current is not None:
                yield [current[0], str(current[1]), *cells]
            current, cells = key, [""] * len(analytes)
        if not cells[position[analyte_id]]:
            cells[position[analyte_id]] = format_value(value)
    if current is not None:
        yield [current[0], str(current[1]), *cells]
