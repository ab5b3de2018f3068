"""AE (Adverse Events): one record per adverse event per subject, coded in MedDRA (the preferred term and its
code as the site's coder entered them; the MedDRA version is the trial design's, stated in Define-XML)."""

from outcomes.choices import ActionTaken, AeOutcome, Relation
from outcomes.models import AdverseEvent
from ucmsc_crf.sdtm.dates import iso, study_day

ACTION = {
    ActionTaken.NONE: "DOSE NOT CHANGED",
    ActionTaken.INTERRUPTED: "DRUG INTERRUPTED",
    ActionTaken.DISCONTINUED: "DRUG WITHDRAWN",
    ActionTaken.NOT_APPLICABLE: "NOT APPLICABLE",
}
OUTCOME = {
    AeOutcome.RECOVERED: "RECOVERED/RESOLVED",
    AeOutcome.RECOVERING: "RECOVERING/RESOLVING",
    AeOutcome.NOT_RECOVERED: "NOT RECOVERED/NOT RESOLVED",
    AeOutcome.SEQUELAE: "RECOVERED/RESOLVED WITH SEQUELAE",
    AeOutcome.FATAL: "FATAL",
    AeOutcome.UNKNOWN: "UNKNOWN",
}
RELATION = {
    Relation.NOT_RELATED: "NOT RELATED",
    Relation.UNLIKELY: "UNLIKELY RELATED",
    Relation.POSSIBLE: "POSSIBLY RELATED",
    Relation.PROBABLE: "PROBABLY RELATED",
    Relation.DEFINITE: "RELATED",
}


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def rows(subjects: list, studyid: str) -> list[dict]:
    by_pk = {s.pk: s for s in subjects}
    events = (
        AdverseEvent.objects.filter(participant_id__in=list(by_pk), voided=False)
        .order_by("participant__study_id", "onset_datetime", "pk")
        .values(
            "pk", "participant_id", "term", "meddra_preferred_term", "meddra_code", "onset_datetime",
            "resolution_datetime", "grade", "serious", "serious_death", "serious_life_threatening",
            "serious_hospitalisation", "serious_disability", "serious_congenital_anomaly",
            "serious_important_medical_event", "relation", "action_taken", "outcome",
        )
    )  # fmt: skip
    records, sequence = [], {}
    for event in events:
        subject = by_pk[event["participant_id"]]
        sequence[subject.pk] = sequence.get(subject.pk, 0) + 1
        serious = event["serious"]
        # The criteria are asked only of a serious event (SDTMIG: null when AESER is N).
        criterion = (lambda value: _flag(value)) if serious else (lambda value: "")
        records.append(
            {
                "STUDYID": studyid,
                "DOMAIN": "AE",
                "USUBJID": subject.usubjid,
                "AESEQ": sequence[subject.pk],
                "AESPID": str(event["pk"]),
                "AETERM": event["term"],
                "AEDECOD": event["meddra_preferred_term"],
                "AEPTCD": int(event["meddra_code"]) if event["meddra_code"].isdigit() else None,
                "AESER": _flag(serious),
                "AEACN": ACTION[event["action_taken"]],
                "AEREL": RELATION[event["relation"]],
                "AEOUT": OUTCOME[event["outcome"]],
                "AESCONG": criterion(event["serious_congenital_anomaly"]),
                "AESDISAB": criterion(event["serious_disability"]),
                "AESDTH": criterion(event["serious_death"]),
                "AESHOSP": criterion(event["serious_hospitalisation"]),
                "AESLIFE": criterion(event["serious_life_threatening"]),
                "AESMIE": criterion(event["serious_important_medical_event"]),
                "AETOXGR": str(event["grade"]),
                "AESTDTC": iso(event["onset_datetime"]),
                "AEENDTC": iso(event["resolution_datetime"]),
                "AESTDY": study_day(event["onset_datetime"], subject.reference),
                "AEENDY": study_day(event["resolution_datetime"], subject.reference),
            }
        )
    return records
