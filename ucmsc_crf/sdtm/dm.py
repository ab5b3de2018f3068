"""DM (Demographics): one record per subject."""

import datetime
from collections import defaultdict

from django.db.models import Max, Min
from django.utils import timezone

from dosing.models import Infusion
from patients.choices import EndOfStudyReason
from patients.models import Consent, EndOfStudy, Withdrawal
from ucmsc_crf.sdtm.dates import iso
from ucmsc_crf.sdtm.subjects import Subject, usubjid


def rows(block: list, studyid: str, *, hide_allocation: bool) -> tuple[list[dict], list[Subject]]:
    """The block's DM records and its subjects (with their reference start dates, for the other domains)."""
    ids = [p.pk for p in block]
    infused = {
        row["participant_id"]: row
        for row in Infusion.objects.filter(participant_id__in=ids, voided=False)
        .values("participant_id")
        .annotate(first=Min("start_datetime"), last=Max("end_datetime"))
    }
    consents = dict(
        Consent.objects.filter(participant_id__in=ids, voided=False)
        .values("participant_id")
        .annotate(first=Min("consent_datetime"))
        .values_list("participant_id", "first")
    )
    ends = defaultdict(list)
    for end in EndOfStudy.objects.filter(participant_id__in=ids, voided=False).values(
        "participant_id", "end_reason", "end_date"
    ):
        ends[end["participant_id"]].append(end)
    withdrawn = dict(
        Withdrawal.objects.filter(participant_id__in=ids, voided=False).values_list("participant_id", "withdrawal_date")
    )
    records, subjects = [], []
    for participant in block:
        first = infused.get(participant.pk, {}).get("first")
        # RFSTDTC: the first infusion; a subject never infused (a control) starts at day 0.
        start = first or participant.day0_date
        reference = timezone.localtime(first).date() if first else participant.day0_date
        subject = Subject(participant.pk, usubjid(studyid, participant.study_id), reference)
        subjects.append(subject)
        died = [e["end_date"] for e in ends[participant.pk] if e["end_reason"] == EndOfStudyReason.DIED]
        end_dates = [e["end_date"] for e in ends[participant.pk]] + (
            [withdrawn[participant.pk]] if participant.pk in withdrawn else []
        )
        arm = participant.arm
        allocation = {} if hide_allocation or arm is None else {
            "ARMCD": arm.code.upper(), "ARM": arm.name, "ACTARMCD": arm.code.upper(), "ACTARM": arm.name,
        }  # fmt: skip
        records.append(
            {
                "STUDYID": studyid,
                "DOMAIN": "DM",
                "USUBJID": subject.usubjid,
                "SUBJID": participant.study_id,
                "RFSTDTC": iso(start),
                "RFENDTC": iso(max(end_dates)) if end_dates else "",
                "RFXSTDTC": iso(first),
                "RFXENDTC": iso(infused.get(participant.pk, {}).get("last")),
                "RFICDTC": iso(consents.get(participant.pk)),
                "RFPENDTC": iso(max(end_dates)) if end_dates else "",
                "DTHDTC": iso(died[0]) if died else "",
                "DTHFL": "Y" if died else "",
                "SITEID": participant.site.code,
                "BRTHDTC": iso(participant.date_of_birth),
                "AGE": _age(participant.date_of_birth, participant.day0_date),
                "AGEU": "YEARS",
                "SEX": participant.sex,
                **allocation,
                "COUNTRY": participant.site.country,
            }
        )
    return records, subjects


def _age(born: datetime.date, on: datetime.date) -> int:
    """Age in whole years at day 0 (enrolment)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
